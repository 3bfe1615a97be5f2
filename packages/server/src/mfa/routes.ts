import {
  EnrolledBody,
  errorResponses,
  MfaProofBody,
  MfaStatusBody,
  NoContent,
  PasskeyEnrolledBody,
  PasskeyParams,
  PasskeyRegistrationBody,
  RecoveryCodesBody,
  SessionBody,
  TotpCodeBody,
  TotpEnrolmentBody,
  WebAuthnOptions,
} from '@gatehouse/contract';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import { requestContext, type App } from '../http/types.js';
import { currentUser } from '../sessions/console-auth.js';
import { setSessionCookie } from '../sessions/routes.js';
import type { SessionService } from '../sessions/service.js';
import { MFA_PENDING_SECONDS, type MfaService } from './service.js';

/** [P6] The pending sign-in's cookie: only ever sent to the second-factor step. */
export const MFA_COOKIE = 'gatehouse_mfa';
const MFA_PATH = '/console/api/session/mfa';

export function setPendingMfaCookie(reply: FastifyReply, pendingId: string, config: Config): FastifyReply {
  const secure = config.issuer.startsWith('https://');
  return reply
    .setCookie(MFA_COOKIE, pendingId, { httpOnly: true, sameSite: 'strict', secure, path: MFA_PATH, maxAge: MFA_PENDING_SECONDS })
    .header('cache-control', 'no-store');
}

/**
 * [P6] The second step of signing in (`/console/api/session/mfa`, by the pending cookie alone: no
 * session exists yet) and the person's own factors (`/console/api/me/mfa`, a session and CSRF).
 * The enrolment routes carry no `{orgId}`, so an organization's requirement never blocks them.
 */
export function mfaRoutes(app: App, deps: { mfa: MfaService; config: Config; sessions: SessionService }): void {
  const { mfa } = deps;
  const tags = ['console: second factors'];
  const me = '/console/api/me/mfa';
  const pendingCookie = (req: { cookies: Record<string, string | undefined> }) => req.cookies[MFA_COOKIE];

  app.post(
    MFA_PATH,
    { config: { session: 'none' }, schema: { tags, body: MfaProofBody, response: { 200: SessionBody, ...errorResponses } } },
    async (req, reply) => {
      const result = await mfa.complete(pendingCookie(req), req.body, requestContext(req));
      reply.clearCookie(MFA_COOKIE, { path: MFA_PATH });
      setSessionCookie(reply, deps.sessions, deps.config, result.sessionId);
      reply.header('cache-control', 'no-store');
      return { csrfToken: result.csrfToken, user: result.user, memberships: result.memberships };
    },
  );

  app.post(
    `${MFA_PATH}/passkey-options`,
    { config: { session: 'none' }, schema: { tags, response: { 200: WebAuthnOptions, ...errorResponses } } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return mfa.passkeySignInOptions(pendingCookie(req));
    },
  );

  app.get(me, { schema: { tags, response: { 200: MfaStatusBody, ...errorResponses } } }, async (req) => mfa.status(currentUser(req).id));

  app.post(`${me}/totp`, { schema: { tags, response: { 201: TotpEnrolmentBody, ...errorResponses } } }, async (req, reply) => {
    reply.code(201).header('cache-control', 'no-store');
    return mfa.startTotp(currentUser(req));
  });

  app.post(`${me}/totp/confirm`, { schema: { tags, body: TotpCodeBody, response: { 200: EnrolledBody, ...errorResponses } } }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return mfa.confirmTotp(currentUser(req), req.body.code, requestContext(req));
  });

  app.delete(`${me}/totp`, { schema: { tags, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    await mfa.removeTotp(currentUser(req), requestContext(req));
    return reply.code(204).send(null);
  });

  app.post(`${me}/passkeys/options`, { schema: { tags, response: { 200: WebAuthnOptions, ...errorResponses } } }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return mfa.passkeyRegistrationOptions(currentUser(req));
  });

  app.post(
    `${me}/passkeys`,
    { schema: { tags, body: PasskeyRegistrationBody, response: { 201: PasskeyEnrolledBody, ...errorResponses } } },
    async (req, reply) => {
      reply.code(201).header('cache-control', 'no-store');
      return mfa.registerPasskey(currentUser(req), req.body.response, req.body.name ?? 'Passkey', requestContext(req));
    },
  );

  app.delete(`${me}/passkeys/:id`, { schema: { tags, params: PasskeyParams, response: { 204: NoContent, ...errorResponses } } }, async (req, reply) => {
    await mfa.removePasskey(currentUser(req), req.params.id, requestContext(req));
    return reply.code(204).send(null);
  });

  app.post(`${me}/recovery-codes`, { schema: { tags, response: { 200: RecoveryCodesBody, ...errorResponses } } }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return mfa.regenerateRecoveryCodes(currentUser(req), requestContext(req));
  });
}
