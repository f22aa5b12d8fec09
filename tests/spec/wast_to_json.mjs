#!/usr/bin/env node
// wast_to_json: converts a WebAssembly 3.0 spec script (.wast) into the
// JSON command list and .wasm files that wabt's wast2json writes, so the
// spec runner (spec_script.c) runs 3.0 scripts the way it runs 2.0 ones.
//
//   wast_to_json.mjs SCRIPT.wast -o OUT.json --wasm-tools DIR [--wat2wasm PATH]
//
// The script level (commands, actions, values, module forms) is read
// here; each module's text is turned into binary by wasm-tools' text
// parser (`wat`), compiled to Wasm and bundled by the npm package
// @bytecodealliance/jco-transpile, which scripts/setup.sh unpacks into
// DIR (.cache/wast-reader). docs/spec-reader.md describes the route and
// the JSON this writes beyond wast2json's:
//   - "module_definition" (a `(module definition $d ...)`: decoded and
//     validated, not instantiated); `(module instance $i $d)` becomes a
//     "module" command on the definition's file;
//   - "assert_exception" (an action that must throw a Wasm exception);
//   - expected values {"type":"either","values":[...]}, and reference
//     patterns: {"type":"ref","value":"null"} for `(ref.null)` of any
//     type, "value":"nonnull" for `(ref.func)` / `(ref.extern)` without
//     a payload; GC patterns (`(ref.struct)`, ...) get their own types,
//     which the runner does not know: their scripts are skipped.
//
// wasm-tools no longer parses the legacy exception syntax (`try`, `catch`,
// `delegate`, folded `(try (do ...))`); with --wat2wasm, a module it
// cannot encode goes through wabt's wat2wasm (which still reads it)
// before being kept as text with "encode_error".
//
// Exact numbers are not converted here: every constant of the script
// becomes a global of one helper module that wasm-tools encodes, and the
// bits are read back from its global section, so float literals (hex,
// nan:0x..., rounding to f32) follow the text format exactly.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function usage(msg) {
  process.stderr.write(`wast_to_json: ${msg}\n` +
    'usage: wast_to_json.mjs SCRIPT.wast -o OUT.json --wasm-tools DIR\n');
  process.exit(2);
}

const args = process.argv.slice(2);
let input = null, output = null, toolsDir = process.env.WASMAOT_WAST_READER;
let wat2wasm = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-o') output = args[++i];
  else if (args[i] === '--wat2wasm') wat2wasm = args[++i];
  else if (args[i].startsWith('--wat2wasm=')) wat2wasm = args[i].slice(11);
  else if (args[i] === '--wasm-tools') toolsDir = args[++i];
  else if (args[i].startsWith('--wasm-tools=')) toolsDir = args[i].slice(13);
  else if (input === null) input = args[i];
  else usage(`unexpected argument ${args[i]}`);
}
if (!input || !output) usage('need SCRIPT.wast and -o OUT.json');
if (!toolsDir) usage('need --wasm-tools DIR (scripts/setup.sh fills .cache/wast-reader)');

const toolsPath = join(resolve(toolsDir),
  'node_modules/@bytecodealliance/jco-transpile/vendor/wasm-tools.js');
const { $init, tools } = await import(pathToFileURL(toolsPath).href);
await $init;

// ---- lexing and s-expressions ----------------------------------------

class ScriptError extends Error {}

const source = readFileSync(input);
const text = source.toString('latin1'); // bytes 1:1; strings decoded below

// Offsets of line starts, for the "line" of each command.
const lineStarts = [0];
for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
function lineOf(offset) {
  let lo = 0, hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

function skipBlockComment(i) {
  let depth = 1;
  i += 2;
  while (depth > 0) {
    if (i >= text.length) throw new ScriptError('unterminated block comment');
    if (text.startsWith('(;', i)) { depth++; i += 2; }
    else if (text.startsWith(';)', i)) { depth--; i += 2; }
    else i++;
  }
  return i;
}

const hexValue = (c) => parseInt(c, 16);

// A string literal's bytes (the text format's escapes; other characters
// are the file's UTF-8 bytes as they are).
function decodeString(start, end) {
  const bytes = [];
  for (let i = start + 1; i < end - 1; i++) {
    const c = text[i];
    if (c !== '\\') { bytes.push(text.charCodeAt(i)); continue; }
    const d = text[++i];
    if (d === 'n') bytes.push(10);
    else if (d === 't') bytes.push(9);
    else if (d === 'r') bytes.push(13);
    else if (d === '"' || d === "'" || d === '\\') bytes.push(d.charCodeAt(0));
    else if (d === 'u') {
      const close = text.indexOf('}', i);
      const cp = parseInt(text.slice(i + 2, close).replace(/_/g, ''), 16);
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i = close;
    } else {
      bytes.push(hexValue(d) * 16 + hexValue(text[i + 1]));
      i++;
    }
  }
  return Uint8Array.from(bytes);
}

// Nodes: {kind:'list', items, start, end} | {kind:'atom', value, start,
// end} | {kind:'string', bytes, start, end}.
function parseScript() {
  const top = [];
  const stack = [];
  let i = 0;
  const push = (node) => (stack.length ? stack[stack.length - 1].items : top).push(node);
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === ';' && text[i + 1] === ';') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    if (c === '(' && text[i + 1] === ';') { i = skipBlockComment(i); continue; }
    if (c === '(') {
      // `(@name ...)` is an annotation: not part of the script's
      // structure, but left in the module text for wasm-tools.
      stack.push({ kind: 'list', items: [], start: i, end: -1, annotation: text[i + 1] === '@' });
      i++;
      continue;
    }
    if (c === ')') {
      const node = stack.pop();
      if (!node) throw new ScriptError(`line ${lineOf(i)}: unbalanced ')'`);
      node.end = i + 1;
      if (!node.annotation) push(node);
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new ScriptError(`line ${lineOf(i)}: unterminated string`);
      push({ kind: 'string', bytes: decodeString(i, j + 1), start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !' \t\n\r()";'.includes(text[j])) j++;
    if (j === i) j++; // a lone ';': an atom of its own
    push({ kind: 'atom', value: text.slice(i, j), start: i, end: j });
    i = j;
  }
  if (stack.length) throw new ScriptError(`line ${lineOf(stack[0].start)}: unclosed '('`);
  return top;
}

const isAtom = (n, v) => n && n.kind === 'atom' && (v === undefined || n.value === v);
const isId = (n) => isAtom(n) && n.value.startsWith('$');
const head = (n) => (n && n.kind === 'list' && isAtom(n.items[0]) ? n.items[0].value : null);
// A name may start with U+FEFF (names.wast): keep it, it is no BOM here.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const stringOf = (n) => {
  if (!n || n.kind !== 'string') throw new ScriptError(`line ${lineOf(n ? n.start : 0)}: expected a string`);
  return utf8.decode(n.bytes);
};
const concatBytes = (nodes) => {
  const parts = nodes.map((n) => {
    if (n.kind !== 'string') throw new ScriptError(`line ${lineOf(n.start)}: expected a string`);
    return n.bytes;
  });
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
};

// ---- modules ---------------------------------------------------------

const outDir = dirname(resolve(output));
mkdirSync(outDir, { recursive: true });
const stem = basename(output).replace(/\.json$/, '');
let moduleCount = 0;
const definitions = new Map(); // $d -> filename of a `module definition`

function writeModuleFile(ext, bytes) {
  const name = `${stem}.${moduleCount++}.${ext}`;
  writeFileSync(join(outDir, name), bytes);
  return name;
}

// What a (module ...) form is: {name, isDefinition, kind: 'text'|'binary'|
// 'quote', textOrBytes}.
function describeModule(node) {
  const items = node.items;
  let k = 1;
  let isDefinition = false;
  if (isAtom(items[k], 'definition')) { isDefinition = true; k++; }
  let name = null;
  if (isId(items[k])) { name = items[k].value; k++; }
  if (isAtom(items[k], 'binary'))
    return { name, isDefinition, kind: 'binary', bytes: concatBytes(items.slice(k + 1)) };
  if (isAtom(items[k], 'quote')) {
    const body = concatBytes(items.slice(k + 1)).toString('latin1');
    const wat = /^\s*\(module\b/.test(body) ? body : `(module ${body})`;
    return { name, isDefinition, kind: 'quote', wat };
  }
  // The fields as they stand in the script, without `definition` and the
  // name (wasm-tools knows neither at this place).
  const fieldsStart = items[k] ? items[k].start : node.end - 1;
  return { name, isDefinition, kind: 'text', wat: `(module ${text.slice(fieldsStart, node.end - 1)})` };
}

// wasm-tools' lexer refuses raw bidirectional and other "confusing"
// characters in strings (names.wast has them); the same bytes as \hh
// escapes mean the same string.
function escapeStringBytes(wat) {
  let out = '';
  let inString = false;
  for (let i = 0; i < wat.length; i++) {
    const c = wat[i];
    const code = wat.charCodeAt(i);
    if (inString && c === '\\') { out += c + wat[++i]; continue; }
    if (c === '"') inString = !inString;
    if (inString && code >= 0x80) out += '\\' + code.toString(16).padStart(2, '0');
    else out += c;
  }
  return out;
}

// wabt's wat2wasm with the features the legacy exception scripts use,
// without its validation (assert_invalid modules are ours to reject);
// throws as wasm-tools does when it refuses the text too.
function encodeWithWabt(wat) {
  const dir = mkdtempSync(join(tmpdir(), 'wast-to-json-'));
  try {
    const watFile = join(dir, 'm.wat'), wasmFile = join(dir, 'm.wasm');
    writeFileSync(watFile, Buffer.from(wat, 'latin1'));
    execFileSync(wat2wasm, ['--no-check', '--enable-exceptions', '--enable-tail-call',
                            watFile, '-o', wasmFile], { stdio: 'pipe' });
    return readFileSync(wasmFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function encodeWat(wat) {
  try {
    return tools.parse(Buffer.from(escapeStringBytes(wat), 'latin1').toString('utf8'));
  } catch (e) {
    if (!wat2wasm || !/\b(try|delegate|catch|catch_all|rethrow)\b/.test(wat)) throw e;
    try {
      return encodeWithWabt(wat);
    } catch {
      throw e; // wasm-tools' message says more
    }
  }
}

// A module that must be turned into binary (module commands,
// assert_unlinkable/uninstantiable): one wasm-tools cannot encode is kept
// as text with "encode_error", which the runner counts as a failure
// (the legacy exception syntax `(try (do ...))` was such a case before
// the wat2wasm fallback).
function binaryModule(desc) {
  if (desc.kind === 'binary') return { filename: writeModuleFile('wasm', desc.bytes) };
  try {
    return { filename: writeModuleFile('wasm', encodeWat(desc.wat)) };
  } catch (e) {
    const message = String(e.message ?? e).replace(/\s+/g, ' ').slice(0, 300);
    return { filename: writeModuleFile('wat', Buffer.from(desc.wat, 'latin1')),
             module_type: 'text', encode_error: message };
  }
}

// A module an assertion expects to be rejected: binary when it is or can
// be encoded; otherwise (or for malformed text) the text, which only a
// text-format reader can judge and the runner counts as skipped.
function rejectedModule(desc, malformed) {
  if (desc.kind === 'binary') return { filename: writeModuleFile('wasm', desc.bytes), module_type: 'binary' };
  if (!(malformed && desc.kind === 'quote')) {
    try {
      return { filename: writeModuleFile('wasm', encodeWat(desc.wat)), module_type: 'binary' };
    } catch {
      // rejected by the text parser already: a text-format check
    }
  }
  return { filename: writeModuleFile('wat', Buffer.from(desc.wat, 'latin1')), module_type: 'text' };
}

// ---- values ----------------------------------------------------------

// Exact constants are gathered first and encoded in one helper module.
const pendingConsts = []; // {type, literal, set(bits: string)}

function constBits(type, literal, set) {
  pendingConsts.push({ type, literal, set });
}

const nanPatterns = new Set(['nan:canonical', 'nan:arithmetic']);
const laneTypeOf = { i8x16: 'i8', i16x8: 'i16', i32x4: 'i32', i64x2: 'i64', f32x4: 'f32', f64x2: 'f64' };
const laneCount = { i8: 16, i16: 8, i32: 4, i64: 2, f32: 4, f64: 2 };
const laneGlobalType = { i8: 'i32', i16: 'i32', i32: 'i32', i64: 'i64', f32: 'f32', f64: 'f64' };
const laneMask = { i8: 0xffn, i16: 0xffffn };

const refTypeNames = {
  func: 'funcref', extern: 'externref', any: 'anyref', eq: 'eqref', i31: 'i31ref',
  struct: 'structref', array: 'arrayref', exn: 'exnref', none: 'nullref',
  nofunc: 'nullfuncref', noextern: 'nullexternref', noexn: 'nullexnref',
};

// One value: an argument or an expected result (patterns allowed).
function value(node, line) {
  const h = head(node);
  const items = node.items ?? [];
  const operand = items[1];
  if (h === 'either') return { type: 'either', values: items.slice(1).map((n) => value(n, line)) };
  if (h === 'i32.const' || h === 'i64.const' || h === 'f32.const' || h === 'f64.const') {
    const type = h.slice(0, 3);
    const v = { type };
    if (!isAtom(operand)) throw new ScriptError(`line ${line}: ${h} without a literal`);
    if (nanPatterns.has(operand.value)) v.value = operand.value;
    else constBits(type, operand.value, (bits) => { v.value = bits; });
    return v;
  }
  if (h === 'v128.const') {
    const laneType = laneTypeOf[operand && operand.value];
    if (!laneType) throw new ScriptError(`line ${line}: v128.const without a lane shape`);
    const lanes = items.slice(2);
    if (lanes.length !== laneCount[laneType]) throw new ScriptError(`line ${line}: v128.const: wrong lane count`);
    const v = { type: 'v128', lane_type: laneType, value: new Array(lanes.length) };
    lanes.forEach((lane, idx) => {
      if (nanPatterns.has(lane.value)) { v.value[idx] = lane.value; return; }
      constBits(laneGlobalType[laneType], lane.value, (bits) => {
        v.value[idx] = laneMask[laneType] ? (BigInt(bits) & laneMask[laneType]).toString() : bits;
      });
    });
    return v;
  }
  if (h === 'ref.null') {
    if (!operand) return { type: 'ref', value: 'null' };
    const t = refTypeNames[operand.value] ?? 'ref';
    return { type: t, value: 'null' };
  }
  if (h === 'ref.extern' || h === 'ref.host') {
    if (!operand) return { type: 'externref', value: 'nonnull' };
    return { type: 'externref', value: BigInt(operand.value.replace(/_/g, '')).toString() };
  }
  if (h === 'ref.func') return { type: 'funcref', value: 'nonnull' };
  if (h && h.startsWith('ref.')) {
    const t = refTypeNames[h.slice(4)] ?? h.slice(4) + 'ref';
    return { type: t, value: 'nonnull' };
  }
  throw new ScriptError(`line ${line}: unknown value form ${h ?? '?'}`);
}

function action(node, line) {
  const h = head(node);
  const items = node.items;
  let k = 1;
  const a = { type: h };
  if (h !== 'invoke' && h !== 'get') throw new ScriptError(`line ${line}: unknown action ${h ?? '?'}`);
  if (isId(items[k])) a.module = items[k++].value;
  a.field = stringOf(items[k++]);
  a.args = h === 'invoke' ? items.slice(k).map((n) => value(n, line)) : [];
  return a;
}

// ---- commands --------------------------------------------------------

function messageOf(node) {
  return node && node.kind === 'string' ? stringOf(node) : '';
}

function command(node) {
  const line = lineOf(node.start);
  const h = head(node);
  const items = node.items ?? [];
  switch (h) {
    case 'module': {
      if (isAtom(items[1], 'instance')) {
        const inst = isId(items[2]) ? items[2].value : null;
        const defName = isId(items[3]) ? items[3].value : inst;
        const def = definitions.get(defName);
        if (!def) throw new ScriptError(`line ${line}: module instance of unknown definition ${defName}`);
        const cmd = { type: 'module', line, ...def };
        if (inst) cmd.name = inst;
        return cmd;
      }
      const desc = describeModule(node);
      const m = binaryModule(desc);
      if (desc.isDefinition) {
        if (desc.name) definitions.set(desc.name, m);
        const cmd = { type: 'module_definition', line, module_type: 'binary', ...m };
        if (desc.name) cmd.name = desc.name;
        return cmd;
      }
      const cmd = { type: 'module', line, ...m };
      if (desc.name) cmd.name = desc.name;
      return cmd;
    }
    case 'register': {
      const cmd = { type: 'register', line, as: stringOf(items[1]) };
      if (isId(items[2])) cmd.name = items[2].value;
      return cmd;
    }
    case 'invoke':
    case 'get':
      return { type: 'action', line, action: action(node, line) };
    case 'assert_return':
      return { type: 'assert_return', line, action: action(items[1], line),
               expected: items.slice(2).map((n) => value(n, line)) };
    case 'assert_exhaustion':
      return { type: 'assert_exhaustion', line, action: action(items[1], line), text: messageOf(items[2]) };
    case 'assert_exception':
      return { type: 'assert_exception', line, action: action(items[1], line) };
    case 'assert_trap':
      if (head(items[1]) === 'module') {
        const m = binaryModule(describeModule(items[1]));
        return { type: 'assert_uninstantiable', line, module_type: 'binary', ...m, text: messageOf(items[2]) };
      }
      return { type: 'assert_trap', line, action: action(items[1], line), text: messageOf(items[2]) };
    case 'assert_uninstantiable':
    case 'assert_unlinkable': {
      const m = binaryModule(describeModule(items[1]));
      return { type: h, line, module_type: 'binary', ...m, text: messageOf(items[2]) };
    }
    case 'assert_malformed':
    case 'assert_invalid': {
      const m = rejectedModule(describeModule(items[1]), h === 'assert_malformed');
      return { type: h, line, ...m, text: messageOf(items[2]) };
    }
    default:
      // `thread`/`wait` (the threads proposal) and anything newer: kept
      // as a command the runner reports as unreadable, never dropped.
      return { type: h ?? 'unknown', line };
  }
}

// ---- exact constants -------------------------------------------------

function readUleb(bytes, pos) {
  let result = 0n, shift = 0n;
  for (;;) {
    const b = bytes[pos.at++];
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (!(b & 0x80)) return result;
  }
}

function readSleb(bytes, pos) {
  let result = 0n, shift = 0n, b;
  do {
    b = bytes[pos.at++];
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80);
  if (b & 0x40) result -= 1n << shift;
  return result;
}

function readLittleEndian(bytes, pos, n) {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos.at + i]);
  pos.at += n;
  return v;
}

// The init values of a module's defined globals, as unsigned decimal bits.
function globalBits(bytes) {
  const pos = { at: 8 };
  while (pos.at < bytes.length) {
    const id = bytes[pos.at++];
    const size = Number(readUleb(bytes, pos));
    if (id !== 6) { pos.at += size; continue; }
    const count = Number(readUleb(bytes, pos));
    const out = [];
    for (let i = 0; i < count; i++) {
      pos.at += 2; // value type, mutability
      const op = bytes[pos.at++];
      if (op === 0x41) out.push(BigInt.asUintN(32, readSleb(bytes, pos)).toString());
      else if (op === 0x42) out.push(BigInt.asUintN(64, readSleb(bytes, pos)).toString());
      else if (op === 0x43) out.push(readLittleEndian(bytes, pos, 4).toString());
      else if (op === 0x44) out.push(readLittleEndian(bytes, pos, 8).toString());
      else throw new ScriptError(`unexpected constant opcode ${op}`);
      pos.at++; // end
    }
    return out;
  }
  return [];
}

function resolveConsts(list) {
  if (list.length === 0) return;
  const wat = '(module ' + list.map((c) => `(global ${c.type} (${c.type}.const ${c.literal}))`).join('\n') + ')';
  let bits;
  try {
    bits = globalBits(encodeWat(wat));
  } catch (e) {
    if (list.length === 1) throw new ScriptError(`bad ${list[0].type} literal ${list[0].literal}: ${e.message ?? e}`);
    const half = list.length >> 1;
    resolveConsts(list.slice(0, half));
    resolveConsts(list.slice(half));
    return;
  }
  list.forEach((c, i) => c.set(bits[i]));
}

// ---- main ------------------------------------------------------------

const moduleFields = new Set(['type', 'rec', 'import', 'func', 'table', 'memory', 'global',
  'export', 'start', 'elem', 'data', 'tag']);

try {
  const commands = [];
  const nodes = parseScript();
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    if (node.kind !== 'list') throw new ScriptError(`line ${lineOf(node.start)}: expected a command`);
    if (moduleFields.has(head(node))) {
      // Module fields at the top of a script are one module, as if
      // wrapped in (module ...) (inline-module.wast).
      let last = n;
      while (last + 1 < nodes.length && moduleFields.has(head(nodes[last + 1]))) last++;
      const wat = `(module ${text.slice(node.start, nodes[last].end)})`;
      commands.push({ type: 'module', line: lineOf(node.start), ...binaryModule({ kind: 'text', wat }) });
      n = last;
      continue;
    }
    commands.push(command(node));
  }
  resolveConsts(pendingConsts);
  writeFileSync(output, JSON.stringify({ source_filename: basename(input), commands }, null, 0)
    .replace(/\},\{"type"/g, '},\n{"type"') + '\n');
} catch (e) {
  if (!(e instanceof ScriptError)) throw e;
  process.stderr.write(`${input}: ${e.message}\n`);
  process.exit(1);
}
