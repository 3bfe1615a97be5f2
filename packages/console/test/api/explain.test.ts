import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/client';
import { explainError } from '../../src/api/explain';

describe('explainError: a failure in words a person can act on', () => {
  it('a network failure says the server did not answer and what to check', () => {
    const e = explainError(new ApiError(0, 'network_error', 'Failed to fetch'), 'create the service account');
    expect(e.title).toBe('Could not create the service account: the Gatehouse server did not answer');
    expect(e.detail).toMatch(/network connection/);
  });

  it('a 403 names the role problem and passes on what the server said', () => {
    const e = explainError(
      new ApiError(403, 'forbidden', 'your role (member) does not allow this; it needs service-accounts:manage'),
      'load the service accounts',
    );
    expect(e.title).toBe('Could not load the service accounts: your role does not allow it');
    expect(e.detail).toContain('Ask an owner');
    expect(e.detail).toContain('it needs service-accounts:manage');
  });

  it('a stale CSRF token is not mistaken for a role problem', () => {
    const e = explainError(new ApiError(403, 'csrf_token_invalid', 'the X-CSRF-Token header is missing or wrong'));
    expect(e.title).toMatch(/security token is out of date/);
    expect(e.signInAgain).toBe(true);
  });

  it.each([
    [401, 'unauthenticated', /session has ended/],
    [404, 'not_found', /not found/],
    [409, 'conflict', /conflicts/],
    [400, 'invalid_request', /refused/],
    [429, 'rate_limited', /too many attempts/],
    [503, 'temporarily_unavailable', /temporarily unavailable/],
    [500, 'server_error', /answered 500/],
  ])('%i %s', (status, code, title) => {
    expect(explainError(new ApiError(status, code, 'detail from server')).title).toMatch(title);
  });

  it("a 400 shows the server's description, which names the bad field", () => {
    expect(explainError(new ApiError(400, 'invalid_request', 'unknown scopes: nope:read')).detail).toBe('unknown scopes: nope:read');
  });

  it('anything else is still explained, never swallowed', () => {
    expect(explainError(new Error('boom'), 'save')).toEqual({ title: 'Could not save', detail: 'boom' });
  });
});
