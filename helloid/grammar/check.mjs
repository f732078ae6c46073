#!/usr/bin/env node
// check.mjs parses PowerShell scripts with the tree-sitter PowerShell grammar
// and reports, as FILE:LINE:COLUMN: MESSAGE, every syntax error and every
// construct Windows PowerShell 5.1 (HelloID's on-premises agent) lacks.
//
//   node check.mjs            every helloid/*.ps1 (the wrappers)
//   node check.mjs FILE...    those files
//   node check.mjs --json …   one JSON report on standard output instead
//
// Exit status: 0 all clean, 1 a problem found, 2 the check itself could not
// run (usage, an unreadable file, the grammar not installed: npm ci here).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

import { problems } from './rules.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function fail(message) {
  process.stderr.write(`check-wrappers: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const json = args.includes('--json');
let files = args.filter((a) => a !== '--json');
const unknown = files.find((a) => a.startsWith('-'));
if (unknown) fail(`unknown flag ${unknown} (usage: node check.mjs [--json] [FILE.ps1...])`);
if (files.length === 0) {
  const wrappers = join(here, '..');
  files = readdirSync(wrappers).filter((f) => f.endsWith('.ps1')).sort().map((f) => join(wrappers, f));
  if (files.length === 0) fail(`no .ps1 file in ${wrappers}`);
}

// V8's optimising compiler spends tens of seconds of CPU on the grammar's one
// large WebAssembly parse table; its baseline compiler parses these scripts in
// a fraction of a second. Set before the module is compiled.
setFlagsFromString('--liftoff-only');

let Parser, Language;
try {
  ({ Parser, Language } = await import('web-tree-sitter'));
} catch (err) {
  fail(`web-tree-sitter is not installed (run npm ci in ${here}): ${err.message}`);
}
let grammar;
try {
  grammar = createRequire(import.meta.url).resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
} catch (err) {
  fail(`tree-sitter-powershell is not installed (run npm ci in ${here}): ${err.message}`);
}
await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(grammar));

const report = [];
for (const file of files) {
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${file}: ${err.message}`);
  }
  const tree = parser.parse(source);
  if (!tree) fail(`the grammar gave no tree for ${file}`);
  report.push({ file, problems: problems(tree, source) });
  tree.delete();
}

const bad = report.filter((r) => r.problems.length > 0);
if (json) {
  process.stdout.write(JSON.stringify({ files: report }) + '\n');
} else {
  for (const { file, problems: found } of report) {
    const name = relative(process.cwd(), file) || file;
    for (const p of found) process.stdout.write(`${name}:${p.line}:${p.column}: ${p.message}\n`);
  }
  const count = bad.reduce((n, r) => n + r.problems.length, 0);
  process.stdout.write(count === 0
    ? `${report.length} PowerShell scripts parse and use only Windows PowerShell 5.1\n`
    : `${count} ${count === 1 ? 'problem' : 'problems'} in ${bad.length} of ${report.length} PowerShell scripts\n`);
}
process.exit(bad.length > 0 ? 1 : 0);
