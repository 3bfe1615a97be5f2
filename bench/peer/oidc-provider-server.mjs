// The peer for `npm run bench:peer`: panva's node-oidc-provider (installed into bench/.peer only),
// configured as close to Gatehouse's token endpoint as it allows: client credentials, HTTP Basic,
// JWT access tokens (RFC 9068) signed ES256, 900-second lifetime, one scope. It keeps nothing
// (its development memory adapter; client credentials tokens in JWT format are not stored) and
// audits nothing. Usage: node oidc-provider-server.mjs PORT CLIENT_ID CLIENT_SECRET
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../.peer/package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));
const jose = await import(require.resolve('jose'));

const [port, clientId, clientSecret] = process.argv.slice(2);
const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
const issuer = `http://127.0.0.1:${port}`;
const resource = 'urn:gatehouse:bench';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'audit-log:read',
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256', // the only key is ES256
    },
  ],
  jwks: { keys: [jwk] },
  scopes: ['audit-log:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'audit-log:read',
        audience: resource,
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
