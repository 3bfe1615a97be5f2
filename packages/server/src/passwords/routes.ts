import { ChangePasswordBody, errorResponses, NoContent, PasswordResetBody, PasswordResetRequestBody, ResetSecretParams } from '@gatehouse/contract';
import type { Config } from '../config.js';
import { requestContext, type App } from '../http/types.js';
import { currentUser, refuseCrossSite, sessionCookie } from '../sessions/console-auth.js';
import type { SessionService } from '../sessions/service.js';
import type { PasswordService } from './service.js';

/** §11 [P4] change your own password; [P5] reset it through a link. */
export function passwordRoutes(app: App, deps: { sessions: SessionService; passwords: PasswordService; config: Config }): void {
  const { sessions, passwords } = deps;
  const tags = ['console: passwords'];
  const issuerOrigin = new URL(deps.config.issuer).origin;

  // [P4] Also the way out of a forced change, so it is answered during one.
  app.post(
    '/console/api/me/password',
    { config: { duringPasswordChange: true }, schema: { tags, body: ChangePasswordBody, response: { 204: NoContent, ...errorResponses } } },
    async (req, reply) => {
      await passwords.change(currentUser(req), sessionCookie(sessions, req)!, req.body.currentPassword, req.body.newPassword, requestContext(req));
      return reply.code(204).send(null);
    },
  );

  // [P5] 202 whatever the email: the answer never says whether it has an account.
  app.post(
    '/console/api/password-reset',
    { config: { session: 'none' }, schema: { tags, body: PasswordResetRequestBody, response: { 202: NoContent, ...errorResponses } } },
    async (req, reply) => {
      refuseCrossSite(req, issuerOrigin);
      await passwords.request(req.body.email, requestContext(req));
      return reply.code(202).header('cache-control', 'no-store').send(null);
    },
  );

  // [P5] The secret in the path is the credential (http/log-serializers.ts masks `ghrst_…` in request logs).
  app.post(
    '/console/api/password-reset/:secret',
    { config: { session: 'none' }, schema: { tags, params: ResetSecretParams, body: PasswordResetBody, response: { 204: NoContent, ...errorResponses } } },
    async (req, reply) => {
      refuseCrossSite(req, issuerOrigin);
      await passwords.complete(req.params.secret, req.body.newPassword, requestContext(req));
      return reply.code(204).header('cache-control', 'no-store').send(null);
    },
  );
}
