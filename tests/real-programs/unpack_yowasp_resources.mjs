// Writes the file tree a YoWASP package's resources-*.js exports as
// `filesystem` into a directory, so a WASI runtime can preopen it:
//   node unpack_yowasp_resources.mjs RESOURCES.js OUTDIR
// Small files are strings or byte arrays in the object, large ones URLs
// of files shipped beside it.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [resources, out] = process.argv.slice(2);
if (!resources || !out) {
  console.error('usage: unpack_yowasp_resources.mjs RESOURCES.js OUTDIR');
  process.exit(2);
}
const { filesystem } = await import(pathToFileURL(resolve(resources)));

function writeTree(dir, tree) {
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(tree)) {
    const path = join(dir, name);
    if (typeof value === 'string' || value instanceof Uint8Array)
      writeFileSync(path, value);
    else if (value instanceof URL)
      copyFileSync(value, path);
    else
      writeTree(path, value);
  }
}
writeTree(out, filesystem);
