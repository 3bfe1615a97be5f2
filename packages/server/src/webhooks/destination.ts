import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** [E5] Limits on what a delivery may cost: a 10 s timeout, at most 4 KB of the answer read. */
export const DELIVERY_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 4096;

export class DestinationRefused extends Error {
  override readonly name = 'DestinationRefused';
}

/**
 * [E5] Only public unicast addresses: loopback, private, link-local, unique-local, multicast,
 * carrier-grade NAT, unspecified and reserved ranges are refused, IPv4-mapped IPv6 judged as IPv4.
 */
export function isPublicAddress(address: string): boolean {
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

export interface Resolved {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** The URL's own rules; `allowed`: the host is in GATEHOUSE_WEBHOOK_ALLOWED_HOSTS. */
export function checkUrl(raw: string, allowedHosts: ReadonlySet<string>): { url: URL; host: string; allowed: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationRefused('the URL is not valid');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = allowedHosts.has(host);
  if (url.protocol !== 'https:' && !(allowed && url.protocol === 'http:')) throw new DestinationRefused('the URL must use https');
  if (url.username || url.password) throw new DestinationRefused('the URL must not carry credentials');
  return { url, host, allowed };
}

/**
 * Checks a destination and resolves it once. `https` only; a host in the allow list (operator's
 * choice, e.g. an internal SIEM or a test receiver) may be on any address and may use `http`.
 */
export async function resolveDestination(raw: string, allowedHosts: ReadonlySet<string>): Promise<Resolved> {
  const { url, host, allowed } = checkUrl(raw, allowedHosts);
  let addresses: Array<{ address: string; family: number }>;
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await dns.lookup(host, { all: true, verbatim: true });
    } catch {
      throw new DestinationRefused('the host does not resolve');
    }
  }
  // Every address must be public, or one of them could be chosen later (DNS rebinding).
  if (!allowed && (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address)))) {
    throw new DestinationRefused('the host resolves to a private, loopback or link-local address');
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface SendResult {
  status: number | null;
  excerpt: string;
  latencyMs: number;
}

/**
 * POSTs `body` to the resolved address: the connection goes to the address checked above (no
 * second DNS lookup), TLS still verifies the host name, redirects are not followed (a 3xx is a
 * failure), the whole exchange is bounded by the timeout and only 4 KB of the answer is read.
 * `agent`: a keep-alive pool dedicated to this very address (agents.ts); an answer read to its end
 * leaves the connection there for the next message, any other ending destroys it.
 */
export function send(dest: Resolved, headers: Record<string, string>, body: string, now: () => number, agent: http.Agent | false = false): Promise<SendResult> {
  const started = now();
  const client = dest.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number | null, excerpt: string, reusable = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!reusable) req.destroy();
      resolve({ status, excerpt: excerpt.slice(0, 256), latencyMs: Math.max(0, now() - started) });
    };
    const req = client.request(
      dest.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Gatehouse-Webhooks' },
        lookup: (_host, opts, cb) => {
          // Node asks for `all` when auto-selecting a family; answer the one checked address either way.
          if ((opts as { all?: boolean }).all)
            (cb as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: dest.address, family: dest.family }]);
          else cb(null, dest.address, dest.family);
        },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= MAX_RESPONSE_BYTES) done(res.statusCode ?? null, Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'));
        });
        res.on('end', () => done(res.statusCode ?? null, Buffer.concat(chunks).toString('utf8'), true));
        res.on('error', () => done(res.statusCode ?? null, Buffer.concat(chunks).toString('utf8')));
      },
    );
    const timer = setTimeout(() => done(null, 'timed out after 10 s'), DELIVERY_TIMEOUT_MS);
    req.on('error', (err: NodeJS.ErrnoException) => done(null, `connection failed: ${err.code ?? 'error'}`));
    req.end(body);
  });
}
