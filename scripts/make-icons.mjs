// `node scripts/make-icons.mjs`: renders public/icon.svg into the icons browsers ask for by name,
// public/favicon.ico and public/apple-touch-icon.png. Run it after changing the SVG and commit all
// three. It uses sharp, which Next.js installs for its image optimisation.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const publicDir = fileURLToPath(new URL("../public/", import.meta.url));
const svg = await readFile(`${publicDir}icon.svg`);

// A high density renders the 64-unit SVG sharply before it is scaled down to each size.
const render = (size) => sharp(svg, { density: 1200 }).resize(size, size);

/** An ICO file whose images are PNGs, which every current browser reads. */
function ico(pngs) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length + 16 * pngs.length;
  const entries = pngs.map(({ size, data }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size % 256, 0);
    entry.writeUInt8(size % 256, 1);
    entry.writeUInt16LE(1, 4);
    entry.writeUInt16LE(32, 6);
    entry.writeUInt32LE(data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += data.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...pngs.map(({ data }) => data)]);
}

const pngs = await Promise.all([16, 32, 48].map(async (size) => ({ size, data: await render(size).png().toBuffer() })));
await writeFile(`${publicDir}favicon.ico`, ico(pngs));

// iOS shows transparent parts of a home-screen icon as black, so this one sits on white.
const touchSize = 180;
const inset = 16;
const touch = await sharp({ create: { width: touchSize, height: touchSize, channels: 3, background: "#ffffff" } })
  .composite([{ input: await render(touchSize - 2 * inset).png().toBuffer(), top: inset, left: inset }])
  .removeAlpha()
  .png()
  .toBuffer();
await writeFile(`${publicDir}apple-touch-icon.png`, touch);
