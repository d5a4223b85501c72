/**
 * Just enough DER (ASN.1) to write a self-signed certificate and to walk a PKCS#12 file. Node's
 * crypto reads and checks certificates and keys itself, but it neither creates certificates nor
 * opens PFX files; this covers exactly those two and nothing more.
 */

export class DerError extends Error {
  override name = "DerError";
}

export type DerNode = {
  tag: number;
  /** The content octets (for a constructed node, its children's encodings). */
  content: Buffer;
  /** The whole encoding, tag and length included. */
  raw: Buffer;
};

export const Tag = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
  bmpString: 0x1e,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export const sequence = (...children: Buffer[]) => tlv(Tag.sequence, Buffer.concat(children));
export const set = (...children: Buffer[]) => tlv(Tag.set, Buffer.concat(children));
export const octetString = (content: Buffer) => tlv(Tag.octetString, content);
export const bitString = (content: Buffer) => tlv(Tag.bitString, Buffer.concat([Buffer.from([0]), content]));
export const utf8String = (text: string) => tlv(Tag.utf8String, Buffer.from(text, "utf8"));
export const derNull = () => tlv(Tag.null, Buffer.alloc(0));
export const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 | tagNumber, content);
export const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));

/** A non-negative integer from its big-endian bytes. */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1]! & 0x80) === 0) start += 1;
  const trimmed = bytes.subarray(start);
  return tlv(Tag.integer, (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let rest = Math.floor(part / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift(0x80 | (rest & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(Tag.oid, Buffer.from(bytes));
}

/** UTCTime up to 2049, GeneralizedTime from 2050, as RFC 5280 §4.1.2.5 requires. */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(Tag.utcTime, Buffer.from(compact.slice(2), "ascii")) : tlv(Tag.generalizedTime, Buffer.from(compact, "ascii"));
}

export function readNode(buffer: Buffer, offset = 0): DerNode {
  if (offset + 2 > buffer.length) throw new DerError("truncated");
  const tag = buffer[offset]!;
  let length = buffer[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > buffer.length) throw new DerError("bad length");
    length = 0;
    for (let index = 0; index < count; index += 1) length = length * 256 + buffer[offset + 2 + index]!;
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new DerError("truncated");
  return { tag, content: buffer.subarray(offset + header, end), raw: buffer.subarray(offset, end) };
}

export function children(node: DerNode): DerNode[] {
  const result: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readNode(node.content, offset);
    result.push(child);
    offset += child.raw.length;
  }
  return result;
}

export function child(node: DerNode, index: number): DerNode {
  const found = children(node)[index];
  if (!found) throw new DerError(`missing element ${index}`);
  return found;
}

export function readOid(node: DerNode): string {
  if (node.tag !== Tag.oid) throw new DerError("not an object identifier");
  const bytes = node.content;
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

export function readInteger(node: DerNode): number {
  if (node.tag !== Tag.integer) throw new DerError("not an integer");
  let value = 0;
  for (const byte of node.content) value = value * 256 + byte;
  return value;
}
