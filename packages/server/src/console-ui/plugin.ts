import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { App } from '../http/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/**
 * Where the console's build is: inside this package when installed from its npm tarball (`console/`,
 * copied at pack time, [R4]), else where `npm run build` leaves it in the repository.
 */
export const DEFAULT_CONSOLE_DIR =
  [path.resolve(here, '../../console'), path.resolve(here, '../../../console/dist')].find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ??
  path.resolve(here, '../../../console/dist');

/**
 * The console's policy: scripts, styles and connections from this origin only, no inline script,
 * never framed. The built SPA satisfies it (Vite emits external module scripts and stylesheets).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the SPA owns; everything else (APIs, discovery, health) keeps its JSON 404. */
const SPA_ROUTES = ['/', '/sign-in', '/orgs', '/orgs/*', '/invite/*', '/reset/*', '/account/*'];

export interface ConsoleUiOptions {
  /** The built console (default: packages/console/dist). */
  dir?: string;
  /** Named in the answer when the console has not been built. */
  issuer: string;
}

/**
 * Serves the console web UI (§8's client) at `/`: hashed assets cached for a year, index.html
 * never cached and answered for every console path so that `/orgs/{orgId}/...` survives a reload.
 */
export async function consoleUi(app: App, options: ConsoleUiOptions): Promise<void> {
  const dir = options.dir ?? DEFAULT_CONSOLE_DIR;
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) {
    // A server started without `npm run build` still says what it is and how to get the console.
    for (const url of SPA_ROUTES) {
      app.get(url, { schema: { hide: true } }, async (_req, reply) => {
        reply.header('cache-control', 'no-cache');
        return {
          name: 'Gatehouse',
          console: 'not built: run `npm run build` (npm start does it) to serve the console here',
          openapi: `${options.issuer}/openapi.json`,
          discovery: `${options.issuer}/.well-known/oauth-authorization-server`,
          tokenEndpoint: `${options.issuer}/api/v1/auth/token`,
        };
      });
    }
    return;
  }

  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: false,
    // One route per file found now (the build is immutable while the server runs): no wildcard
    // route, so unknown paths fall through to the JSON 404 like any other.
    wildcard: false,
    etag: true,
    lastModified: true,
    setHeaders(reply, filePath) {
      const hashed = filePath.startsWith(path.join(dir, 'assets') + path.sep);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('content-security-policy', CONSOLE_CSP);
    },
  });

  const sendIndex = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html', dir, { cacheControl: false });
  for (const url of SPA_ROUTES) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => sendIndex(reply));
  }
}
