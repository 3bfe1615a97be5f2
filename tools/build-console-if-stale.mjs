// [R4] `npm start` must not rebuild an up-to-date build: the console is rebuilt only when its
// build is missing or older than one of its sources (tsc -b is incremental on its own).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = path.join(root, 'packages/console');

function newestMtime(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

const index = path.join(consoleDir, 'dist/index.html');
const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(consoleDir, p)).filter((p) => fs.existsSync(p));
if (built < Math.max(...sources.map(newestMtime))) {
  execFileSync('npm', ['run', 'build', '--workspace', '@gatehouse/console'], { cwd: root, stdio: 'inherit' });
}
