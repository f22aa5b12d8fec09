// Runs a WASI command under Node.js's own WASI (preview 1), with the
// command line of `wasmaot run`, so the real-program tests can compare
// wasmaot's results with an independent runtime:
//   node node_wasi_run.mjs [--dir HOST::GUEST]... [--env K=V]... MODULE [ARGS...]
// Exits with the guest's exit code.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv.length && argv[0].startsWith('--')) {
  const [flag, value] = argv.splice(0, 2);
  if (flag === '--dir') {
    const [host, guest] = value.split('::');
    preopens[guest ?? host] = host;
  } else if (flag === '--env') {
    const eq = value.indexOf('=');
    env[value.slice(0, eq)] = value.slice(eq + 1);
  } else {
    console.error(`node_wasi_run: unknown option ${flag}`);
    process.exit(2);
  }
}
const [module, ...args] = argv;
const wasi = new WASI({ version: 'preview1', args: [module, ...args], env,
                        preopens, returnOnExit: true });
const { instance } =
    await WebAssembly.instantiate(readFileSync(module), wasi.getImportObject());
process.exitCode = wasi.start(instance);
