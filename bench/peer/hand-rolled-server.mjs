// The third column of `npm run bench:peer`: a hand-rolled, minimal client-credentials token
// endpoint, the practical ceiling for "check a secret, sign an ES256 JWT, answer JSON" on this
// machine (issue 16). node:http only: it parses the form body and HTTP Basic, compares the secret's
// HMAC with a stored one (timing-safe, as Gatehouse stores secrets as keyed hashes), signs an
// RFC 9068-shaped JWT with node:crypto and answers JSON. No database, no audit, no rate limit, no
// logging, no framework: everything Gatehouse adds on top of this is what the ratio measures.
//
// Usage: node hand-rolled-server.mjs PORT CLIENT_ID CLIENT_SECRET
import crypto from 'node:crypto';
import http from 'node:http';

const [port, clientId, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const audience = 'urn:gatehouse:bench';
const allowedScopes = new Set(['audit-log:read']);

// The secret is never held in the clear: only its HMAC under a per-process key, like a real server.
const hmacKey = crypto.randomBytes(32);
const hmac = (s) => crypto.createHmac('sha256', hmacKey).update(s).digest();
const storedSecretHash = hmac(clientSecret);

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = b64url({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' });

function sign(claims) {
  const input = `${header}.${b64url(claims)}`;
  const signature = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function answer(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
    ...(status === 401 ? { 'www-authenticate': 'Basic realm="bench"' } : {}),
  });
  res.end(json);
}

/** RFC 6749 §2.3.1: Basic with form-urlencoded id and secret. */
function basic(authorization) {
  if (!authorization?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

function handle(req, res, body) {
  if (req.method !== 'POST' || req.url !== '/token') return answer(res, 404, { error: 'not_found' });
  if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return answer(res, 400, { error: 'invalid_request' });
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'client_credentials') return answer(res, 400, { error: 'unsupported_grant_type' });
  const client = basic(req.headers.authorization);
  if (!client || client.id !== clientId || !crypto.timingSafeEqual(hmac(client.secret), storedSecretHash)) return answer(res, 401, { error: 'invalid_client' });
  const scopes = (form.get('scope') ?? 'audit-log:read').split(' ').filter(Boolean);
  if (!scopes.every((s) => allowedScopes.has(s))) return answer(res, 400, { error: 'invalid_scope' });
  const iat = Math.floor(Date.now() / 1000);
  const token = sign({
    iss: issuer,
    sub: clientId,
    aud: audience,
    client_id: clientId,
    scope: scopes.join(' '),
    iat,
    exp: iat + 900,
    jti: crypto.randomUUID(),
  });
  answer(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 900, scope: scopes.join(' ') });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 4096) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)) && server.closeAllConnections());
