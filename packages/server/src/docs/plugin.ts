import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_CSP } from '../console-ui/plugin.js';
import { ApiError } from '../errors.js';
import type { App } from '../http/types.js';

/** packages/server/docs-ui, from src/docs or dist/docs alike (and inside the server's npm tarball). */
export const DOCS_UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs-ui');

/**
 * The console's policy, with one relaxation for /docs only: Redoc's bundle (styled-components) inserts `<style>`
 * elements at run time, which `style-src 'self'` refuses. Scripts stay 'self' only (no inline
 * script: the page loads the bundle and init.js as files), and nothing comes from another origin.
 */
export const DOCS_CSP = CONSOLE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

const FILES: Record<string, { file: string; type: string }> = {
  '/docs': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/docs/init.js': { file: 'init.js', type: 'text/javascript; charset=utf-8' },
  '/docs/redoc.standalone.js': { file: 'redoc.standalone.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * [M4] `/docs`: the OpenAPI document rendered for people by Redoc, served from
 * this server's own files (copied from redoc at build, see scripts/copy-docs-ui.mjs).
 */
export function docsRoutes(app: App, options: { dir?: string } = {}): void {
  const dir = options.dir ?? DOCS_UI_DIR;
  for (const [url, { file, type }] of Object.entries(FILES)) {
    const full = path.join(dir, file);
    // Read once: the files are immutable while the server runs.
    const body = fs.existsSync(full) ? fs.readFileSync(full) : null;
    app.get(url, { schema: { hide: true }, logLevel: 'warn' }, async (_req, reply) => {
      if (!body) throw new ApiError('not_found', `${url} is not built: run \`npm run build\``);
      return reply
        .type(type)
        .header('cache-control', file === 'index.html' ? 'no-cache' : 'public, max-age=3600')
        .header('content-security-policy', DOCS_CSP)
        .send(body);
    });
  }
}
