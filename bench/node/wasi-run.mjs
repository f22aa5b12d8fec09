// Runs a WASI command module under node's WASI (preview1), for the
// benchmark runner: node --no-warnings wasi-run.mjs PROG.wasm [ARGS...]
// The guest sees argv = [PROG.wasm, ARGS...], an empty environment and no
// preopened directories; its exit status becomes node's.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: wasi-run.mjs PROG.wasm [ARGS...]\n');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: {},
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
