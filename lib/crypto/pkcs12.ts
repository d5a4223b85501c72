import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { child, children, DerError, readInteger, readNode, readOid, Tag, type DerNode } from "@/lib/crypto/der";

/**
 * Opens a PFX (PKCS#12, RFC 7292) with its password: the MAC is checked first, so a wrong password
 * is told apart from a damaged file. Covers what Windows, macOS, Azure Key Vault and OpenSSL export:
 * PBES2 with AES or 3DES, and the older PKCS#12 3DES scheme. RC2-40 (OpenSSL 1.x's `-legacy` default
 * for certificates) is refused by name: Node's OpenSSL 3 no longer ships it.
 */

export class Pkcs12Error extends Error {
  override name = "Pkcs12Error";
  constructor(readonly reason: "unreadable" | "wrong-password" | "unsupported", message: string) {
    super(message);
  }
}

export type Pkcs12Contents = { privateKeysPkcs8: Buffer[]; certificatesDer: Buffer[] };

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  pbeSha3Des: "1.2.840.113549.1.12.1.3",
  pbeShaRc2_40: "1.2.840.113549.1.12.1.6",
  pbeShaRc2_128: "1.2.840.113549.1.12.1.5",
} as const;

const digests: Readonly<Record<string, { name: string; block: number }>> = {
  "1.3.14.3.2.26": { name: "sha1", block: 64 },
  "2.16.840.1.101.3.4.2.1": { name: "sha256", block: 64 },
  "2.16.840.1.101.3.4.2.2": { name: "sha384", block: 128 },
  "2.16.840.1.101.3.4.2.3": { name: "sha512", block: 128 },
};

const hmacPrfs: Readonly<Record<string, string>> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};

const ciphers: Readonly<Record<string, { name: string; keyLength: number }>> = {
  "2.16.840.1.101.3.4.1.2": { name: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { name: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { name: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { name: "des-ede3-cbc", keyLength: 24 },
};

/** The password as PKCS#12 wants it: UTF-16BE with a terminating zero character. */
function bmpPassword(password: string): Buffer {
  const utf16le = Buffer.from(`${password}\0`, "utf16le");
  return Buffer.from(utf16le).swap16();
}

function repeatTo(source: Buffer, block: number): Buffer {
  if (source.length === 0) return Buffer.alloc(0);
  const length = block * Math.ceil(source.length / block);
  const out = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) out[index] = source[index % source.length]!;
  return out;
}

/** RFC 7292 appendix B.2: id 1 derives a key, 2 an IV, 3 a MAC key. */
function pkcs12Kdf(digest: { name: string; block: number }, password: Buffer, salt: Buffer, iterations: number, id: 1 | 2 | 3, length: number): Buffer {
  const v = digest.block;
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([repeatTo(salt, v), repeatTo(password, v)]);
  const output: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let A = createHash(digest.name).update(D).update(I).digest();
    for (let round = 1; round < iterations; round += 1) A = createHash(digest.name).update(A).digest();
    output.push(A);
    produced += A.length;
    const B = repeatTo(A, v).subarray(0, v);
    for (let offset = 0; offset < I.length; offset += v) {
      let carry = 1;
      for (let index = v - 1; index >= 0; index -= 1) {
        const sum = I[offset + index]! + B[index]! + carry;
        I[offset + index] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(output).subarray(0, length);
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const cipher = createDecipheriv(name, key, iv);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  } catch {
    throw new Pkcs12Error("wrong-password", "The password does not open this PFX file.");
  }
}

function decrypt(algorithm: DerNode, data: Buffer, password: string): Buffer {
  const algorithmOid = readOid(child(algorithm, 0));
  if (algorithmOid === OID.pbeSha3Des) {
    const params = child(algorithm, 1);
    const salt = child(params, 0).content;
    const iterations = readInteger(child(params, 1));
    const sha1 = digests["1.3.14.3.2.26"]!;
    const bmp = bmpPassword(password);
    return decipher("des-ede3-cbc", pkcs12Kdf(sha1, bmp, salt, iterations, 1, 24), pkcs12Kdf(sha1, bmp, salt, iterations, 2, 8), data);
  }
  if (algorithmOid === OID.pbes2) {
    const params = child(algorithm, 1);
    const kdf = child(params, 0);
    const scheme = child(params, 1);
    if (readOid(child(kdf, 0)) !== OID.pbkdf2) throw new Pkcs12Error("unsupported", "This PFX file uses a key derivation other than PBKDF2.");
    const cipher = ciphers[readOid(child(scheme, 0))];
    if (!cipher) throw new Pkcs12Error("unsupported", "This PFX file uses an encryption other than AES or 3DES.");
    const kdfParams = children(child(kdf, 1));
    const salt = kdfParams[0]!.content;
    const iterations = readInteger(kdfParams[1]!);
    const prfNode = kdfParams.find((node) => node.tag === Tag.sequence);
    const prf = prfNode ? hmacPrfs[readOid(child(prfNode, 0))] : "sha1";
    if (!prf) throw new Pkcs12Error("unsupported", "This PFX file uses an unknown key derivation hash.");
    const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, cipher.keyLength, prf);
    return decipher(cipher.name, key, child(scheme, 1).content, data);
  }
  if (algorithmOid === OID.pbeShaRc2_40 || algorithmOid === OID.pbeShaRc2_128) {
    throw new Pkcs12Error(
      "unsupported",
      "This PFX file uses RC2 encryption, which is no longer supported. Export it again with AES (Windows: TripleDES-SHA1 or AES256-SHA256; OpenSSL 3 does so by default).",
    );
  }
  throw new Pkcs12Error("unsupported", "This PFX file uses an encryption that is not supported. Export it again with AES-256.");
}

function verifyMac(macData: DerNode, authSafeContent: Buffer, password: string): void {
  const digestInfo = child(macData, 0);
  const digest = digests[readOid(child(child(digestInfo, 0), 0))];
  if (!digest) throw new Pkcs12Error("unsupported", "This PFX file's integrity check uses an unknown hash.");
  const expected = child(digestInfo, 1).content;
  const salt = child(macData, 1).content;
  const parts = children(macData);
  const iterations = parts[2] ? readInteger(parts[2]) : 1;
  const key = pkcs12Kdf(digest, bmpPassword(password), salt, iterations, 3, createHash(digest.name).digest().length);
  const actual = createHmac(digest.name, key).update(authSafeContent).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new Pkcs12Error("wrong-password", "The password does not open this PFX file.");
  }
}

function readBags(safeContents: Buffer, password: string, into: Pkcs12Contents): void {
  for (const bag of children(readNode(safeContents))) {
    const bagId = readOid(child(bag, 0));
    const value = child(child(bag, 1), 0);
    if (bagId === OID.keyBag) into.privateKeysPkcs8.push(Buffer.from(value.raw));
    else if (bagId === OID.shroudedKeyBag) into.privateKeysPkcs8.push(decrypt(child(value, 0), child(value, 1).content, password));
    else if (bagId === OID.certBag && readOid(child(value, 0)) === OID.x509Certificate) into.certificatesDer.push(Buffer.from(child(child(value, 1), 0).content));
  }
}

export function openPkcs12(file: Buffer, password: string): Pkcs12Contents {
  try {
    const pfx = readNode(file);
    if (pfx.tag !== Tag.sequence || pfx.raw.length !== file.length) throw new DerError("not a PFX");
    const parts = children(pfx);
    const authSafe = parts[1]!;
    if (readOid(child(authSafe, 0)) !== OID.data) throw new Pkcs12Error("unsupported", "This PFX file is signed with a public key instead of a password, which is not supported.");
    const authSafeContent = child(child(authSafe, 1), 0).content;
    if (parts[2]) verifyMac(parts[2], authSafeContent, password);
    const contents: Pkcs12Contents = { privateKeysPkcs8: [], certificatesDer: [] };
    for (const info of children(readNode(authSafeContent))) {
      const type = readOid(child(info, 0));
      const content = child(child(info, 1), 0);
      if (type === OID.data) {
        readBags(content.content, password, contents);
      } else if (type === OID.encryptedData) {
        const encryptedContentInfo = child(content, 1);
        const encrypted = children(encryptedContentInfo)[2];
        if (!encrypted) continue;
        readBags(decrypt(child(encryptedContentInfo, 1), encrypted.content, password), password, contents);
      }
    }
    return contents;
  } catch (error) {
    if (error instanceof Pkcs12Error) throw error;
    throw new Pkcs12Error("unreadable", "The file is not a PFX (PKCS#12) file, or it is damaged.");
  }
}
