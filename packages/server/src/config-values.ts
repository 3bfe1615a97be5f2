import { isIP } from 'node:net';
import os from 'node:os';
import type { Config, HttpLimits, RateLimit } from './config.js';

// The parsers of single configuration values (§9), each with an error that names the variable
// and what it must look like. `loadConfig` (config.ts) puts them together.

/** A configuration the server refuses to start with; main.ts prints the message and exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * RFC 8414 §2: the issuer is an https URL (http for local use) with no query or fragment. It may
 * have a path (https://host/auth), discovered at the RFC 8414 §3.1 path-inserted URL; the path
 * is kept to plain characters because it also becomes a route.
 */
export function checkIssuer(issuer: string): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError('GATEHOUSE_ISSUER must be an absolute URL');
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password || issuer.includes('?') || issuer.includes('#')) {
    throw new ConfigError('GATEHOUSE_ISSUER must be an http(s) URL without credentials, query or fragment (RFC 8414 §2)');
  }
  if (!/^[A-Za-z0-9._~/-]*$/.test(url.pathname)) {
    throw new ConfigError('GATEHOUSE_ISSUER may only have a path of letters, digits and . _ ~ - /');
  }
}

/**
 * GATEHOUSE_WORKERS: a whole number of processes, default one per CPU in server mode. The embedded
 * database lives in one process, so there an explicit value above 1 is refused rather than ignored.
 */
export function parseWorkers(value: string | undefined, databaseUrl: string | undefined): number {
  if (value === undefined || value === '') return databaseUrl ? os.availableParallelism() : 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new ConfigError('GATEHOUSE_WORKERS must be a whole number from 1 to 256');
  if (n > 1 && !databaseUrl) {
    throw new ConfigError(`GATEHOUSE_WORKERS=${n} needs DATABASE_URL: the embedded database is one process (unset GATEHOUSE_WORKERS, or set it to 1)`);
  }
  return n;
}

/** `burst/perSecond`, e.g. `30/1` or `300/20`. */
export function parseRate(name: string, value: string | undefined, fallback: RateLimit): RateLimit {
  if (value === undefined || value === '') return fallback;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value);
  if (!m) throw new ConfigError(`${name} must look like BURST/PER_SECOND, e.g. 30/1`);
  return { burst: Number(m[1]), perSecond: Number(m[2]) };
}

/** `name:credential,name:credential`: who may read the state feed. */
export function parseResourceServers(value: string | undefined): Array<{ name: string; credential: string }> {
  if (!value) return [];
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const name = entry.slice(0, colon);
      const credential = entry.slice(colon + 1);
      if (colon < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(name) || !/^[\x21-\x7e]{32,512}$/.test(credential) || credential.includes(',')) {
        throw new ConfigError(
          'GATEHOUSE_RESOURCE_SERVER_TOKENS must look like name:credential,name:credential with credentials of at least 32 characters (`gatehouse resource-server credential NAME` makes one)',
        );
      }
      return { name, credential };
    });
  if (new Set(servers.map((s) => s.name)).size !== servers.length) throw new ConfigError('GATEHOUSE_RESOURCE_SERVER_TOKENS names a resource server twice');
  return servers;
}

/** proxy-addr's names for address ranges, accepted beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * GATEHOUSE_TRUST_PROXY: a hop count (`1`) or proxy addresses/CIDRs (`10.0.0.0/8,127.0.0.1`).
 * `true` is refused rather than mapped: it trusts every hop, so a client could write its own
 * address into X-Forwarded-For, dodge per-address limits and forge the audit log's `ip`.
 */
export function parseTrustProxy(value: string | undefined): false | number | string[] {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') {
    throw new ConfigError(
      'GATEHOUSE_TRUST_PROXY=true would believe any X-Forwarded-For a client writes; set the number of proxies in front of Gatehouse (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)',
    );
  }
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr ?? '');
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!PROXY_RANGE_NAMES.has(entry) && (!family || !validBits || extra !== undefined)) {
      throw new ConfigError(`GATEHOUSE_TRUST_PROXY: "${entry}" is neither a hop count nor an address or CIDR (e.g. 1, or 10.0.0.0/8,127.0.0.1)`);
    }
  }
  return entries;
}

/** [P1] [P5] Both or neither: a From address without a server (or the reverse) is a typo. */
export function parseMail(smtpUrl: string | undefined, from: string | undefined): Config['mail'] {
  if (!smtpUrl && !from) return undefined;
  if (!smtpUrl || !from) throw new ConfigError('GATEHOUSE_SMTP_URL and GATEHOUSE_MAIL_FROM are set together or not at all');
  if (!/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('GATEHOUSE_SMTP_URL must be an smtp:// or smtps:// URL');
  if (!/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(from)) {
    throw new ConfigError('GATEHOUSE_MAIL_FROM must be an address, e.g. gatehouse@example.com or "Gatehouse <gatehouse@example.com>"');
  }
  return { smtpUrl, from };
}

export function parseEmbeddedSync(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError('GATEHOUSE_EMBEDDED_SYNC must be on or off (off is unsafe: for benchmarks only)');
}

export function parseNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`${name} must be a number, at least ${min}`);
  return n;
}

export function parseHttpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const int = (name: string, fallback: number, min: number): number => {
    const n = parseNumber(name, env[name], fallback, min);
    if (!Number.isInteger(n)) throw new ConfigError(`${name} must be a whole number`);
    return n;
  };
  // Behind a reverse proxy every connection comes from the proxy's address: a per-address cap
  // would cap everyone together, so it is off unless asked for.
  const behindProxy = parseTrustProxy(env.GATEHOUSE_TRUST_PROXY) !== false;
  const limits: HttpLimits = {
    headersTimeoutMs: int('GATEHOUSE_HEADERS_TIMEOUT_MS', 10_000, 100),
    requestTimeoutMs: int('GATEHOUSE_REQUEST_TIMEOUT_MS', 30_000, 100),
    // Longer than the 60 s idle timeout of common load balancers and gateways, so that the proxy,
    // not Gatehouse, closes a pooled connection (no request lost to a close race).
    keepAliveTimeoutMs: int('GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS', 65_000, 100),
    maxConnections: int('GATEHOUSE_MAX_CONNECTIONS', 1000, 1),
    maxConnectionsPerAddress: int('GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS', behindProxy ? 0 : 128, 0),
  };
  if (limits.requestTimeoutMs < limits.headersTimeoutMs) {
    throw new ConfigError('GATEHOUSE_REQUEST_TIMEOUT_MS must be at least GATEHOUSE_HEADERS_TIMEOUT_MS (the request includes its headers)');
  }
  return limits;
}

/** What `loadConfig` chooses when no variable is set (for apps built without a config, in tests). */
export const DEFAULT_HTTP_LIMITS: HttpLimits = parseHttpLimits({});
