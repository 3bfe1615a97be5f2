/**
 * [M4] The token and revocation endpoints parse their own bodies (token-request.ts: RFC 6749
 * errors, not schema errors), so their request bodies are described here for the OpenAPI document
 * only; http/openapi.ts merges them into the matching operations.
 */
const tokenParameters = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { type: 'string', enum: ['client_credentials', 'refresh_token'], description: 'RFC 6749 §4.4.2 / §6' },
    scope: { type: 'string', description: 'Space-separated scopes, a subset of what the client or token holds (RFC 6749 §3.3)' },
    client_id: { type: 'string', description: 'client_secret_post (RFC 6749 §2.3.1); omit when using HTTP Basic' },
    client_secret: { type: 'string', format: 'password', description: 'client_secret_post; never together with HTTP Basic' },
    refresh_token: { type: 'string', format: 'password', description: 'The refresh token (grant_type=refresh_token, RFC 6749 §6)' },
  },
  additionalProperties: false,
  examples: [{ grant_type: 'client_credentials', client_id: 'sa_01J0EXAMPLE', client_secret: 'gh_sec_…', scope: 'findings:read' }],
};

const revocationParameters = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', format: 'password', description: 'The refresh token to revoke (RFC 7009 §2.1)' },
    token_type_hint: { type: 'string', enum: ['refresh_token', 'access_token'], description: 'Only a hint (RFC 7009 §2.1)' },
  },
  additionalProperties: false,
};

const bodies = (schema: object, description: string) => ({
  required: true,
  description,
  content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } },
});

export const TOKEN_ENDPOINT_DOCS: Record<string, Record<string, unknown>> = {
  'POST /api/v1/auth/token': {
    requestBody: bodies(tokenParameters, 'RFC 6749 parameters, as a form (RFC 6749 §4.4.2) or the same names as JSON'),
  },
  'POST /api/v1/auth/revoke': {
    requestBody: bodies(revocationParameters, 'RFC 7009 §2.1 parameters, as a form or JSON'),
  },
};
