// [R4] At `npm pack`: copies the console's build (packages/console/dist) into this package's
// console/, so a server installed from its tarball serves the console (console-ui/plugin.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.resolve(pkg, '../console/dist');
if (!fs.existsSync(path.join(built, 'index.html'))) throw new Error('the console is not built: run `npm run build` at the repository root first');
fs.rmSync(path.join(pkg, 'console'), { recursive: true, force: true });
fs.cpSync(built, path.join(pkg, 'console'), { recursive: true });
