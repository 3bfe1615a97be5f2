// `npm start`'s prestart [R4]: rebuild only what is stale, and find out cheaply. On an up-to-date
// build this compares file times and spawns nothing (running `tsc -b` just to learn that nothing
// changed cost seconds of every start). A build is stale when it is missing or older than one of
// its inputs; directories count with their own time too, so a deleted or renamed source also
// rebuilds.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(root, ...p);

/** The newest modification time under p (files and directories), 0 when p does not exist. */
function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

/** The oldest modification time of the outputs, 0 when one is missing (then it is stale). */
function oldestMtime(paths) {
  return Math.min(...paths.map((p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0)));
}

const stale = (outputs, inputs) => oldestMtime(outputs) < Math.max(...inputs.map(newestMtime));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

// 1. The server and the two packages it compiles against. tsc -b writes each project's
// tsconfig.tsbuildinfo when it builds it; the entry points stand for the rest of dist.
const projects = ['access', 'contract', 'server'];
const tsOutputs = projects.flatMap((p) => [at('packages', p, 'tsconfig.tsbuildinfo'), at('packages', p, 'dist', p === 'server' ? 'main.js' : 'index.js')]);
const tsInputs = [
  at('tsconfig.base.json'),
  at('package-lock.json'),
  ...projects.flatMap((p) => ['src', 'tsconfig.json', 'package.json'].map((f) => at('packages', p, f))),
];
if (stale(tsOutputs, tsInputs)) {
  run(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-b', ...projects.map((p) => `packages/${p}`)]);
  // tsc -b leaves outputs alone when a touched source compiles to the same thing: mark the build
  // as checked now, so the next start does not run it again.
  const now = new Date();
  for (const out of tsOutputs) fs.utimesSync(out, now, now);
}

// 2. /docs's bundle, copied from the redoc dev dependency (the script re-checks the same times).
const redoc = at('packages/server/docs-ui/redoc.standalone.js');
let redocSource = null;
try {
  redocSource = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
} catch {
  // not installed: the copy script explains what to do, or keeps the bundle a tarball carries
}
if (!redocSource || stale([redoc], [redocSource])) run(process.execPath, [at('packages/server/scripts/copy-docs-ui.mjs')]);

// 3. The console: rebuilt when its build is missing or older than one of its sources.
const consoleDir = at('packages/console');
const consoleInputs = ['src', 'index.html', 'vite.config.ts', 'package.json', 'public'].map((p) => path.join(consoleDir, p)).filter((p) => fs.existsSync(p));
if (stale([path.join(consoleDir, 'dist/index.html')], consoleInputs)) {
  run('npm', ['run', 'build', '--workspace', '@gatehouse/console']);
}
