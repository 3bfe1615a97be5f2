// Copies Redoc's standalone bundle (a dev dependency) beside docs-ui/index.html, so /docs is served
// from the server's own files — in the repo and inside the server's npm tarball — never a CDN.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs-ui/redoc.standalone.js');
let source;
try {
  source = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
} catch {
  if (fs.existsSync(target)) process.exit(0); // an installed tarball already carries it
  throw new Error('redoc is not installed: run npm install at the repository root');
}
if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(source).mtimeMs) process.exit(0);
// The one change: the sidebar's "API docs by Redocly" logo is hard-coded to cdn.redoc.ly, which the
// page's CSP (img-src 'self') refuses; an empty data: URL fails to load and Redoc then hides it.
const bundle = fs.readFileSync(source, 'utf8');
const CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
if (!bundle.includes(CDN_LOGO)) throw new Error(`redoc's bundle no longer names ${CDN_LOGO}: review scripts/copy-docs-ui.mjs`);
fs.writeFileSync(target, bundle.replaceAll(CDN_LOGO, 'data:,'));
