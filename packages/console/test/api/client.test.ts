import { describe, expect, it, vi } from 'vitest';
import { ApiError, ConsoleApi, fetchAll, withQuery } from '../../src/api/client';

const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('ConsoleApi', () => {
  it('sends X-CSRF-Token on state-changing calls only (§8)', async () => {
    const fetchImpl = vi.fn(async () => json(200, { ok: true }));
    const api = new ConsoleApi(fetchImpl as unknown as typeof fetch);
    api.csrfToken = 'csrf-1';
    await api.get('/console/api/me');
    await api.post('/console/api/x', { a: 1 });
    await api.delete('/console/api/x/1');
    const headers = fetchImpl.mock.calls.map((c) => (c as unknown as [string, RequestInit])[1].headers as Record<string, string>);
    expect(headers[0]!['x-csrf-token']).toBeUndefined();
    expect(headers[1]!['x-csrf-token']).toBe('csrf-1');
    expect(headers[1]!['content-type']).toBe('application/json');
    expect(headers[2]!['x-csrf-token']).toBe('csrf-1');
    expect((fetchImpl.mock.calls[1] as unknown as [string, RequestInit])[1].body).toBe('{"a":1}');
  });

  it('turns an error answer into an ApiError with its code and description', async () => {
    const api = new ConsoleApi((async () =>
      json(403, { error: 'forbidden', error_description: 'your role (member) does not allow this' })) as unknown as typeof fetch);
    const err = await api.get('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 403, code: 'forbidden', description: 'your role (member) does not allow this' });
  });

  it('a failure to reach the server is status 0, not a crash', async () => {
    const api = new ConsoleApi((async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch);
    const err = (await api.get('/x').catch((e: unknown) => e)) as ApiError;
    expect(err.isNetwork).toBe(true);
    expect(err.code).toBe('network_error');
  });

  it('a non-JSON error page still gives a code from the status', async () => {
    const api = new ConsoleApi((async () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })) as unknown as typeof fetch);
    expect(await api.get('/x').catch((e: unknown) => e)).toMatchObject({ status: 502, code: 'http_502', description: 'Bad Gateway' });
  });

  it('tells the session when a call answers 401, and a 204 is undefined', async () => {
    const onUnauthenticated = vi.fn();
    const answers = [json(401, { error: 'unauthenticated', error_description: 'sign in' }), new Response(null, { status: 204 })];
    const api = new ConsoleApi((async () => answers.shift()!) as unknown as typeof fetch);
    api.onUnauthenticated = onUnauthenticated;
    await expect(api.get('/x')).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    expect(await api.delete('/x')).toBeUndefined();
  });
});

describe('withQuery', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(withQuery('/a', { cursor: null, limit: 50, action: '', actorId: undefined, q: 'a b&c' })).toBe('/a?limit=50&q=a+b%26c');
    expect(withQuery('/a', {})).toBe('/a');
    expect(withQuery('/a')).toBe('/a');
  });
});

describe('fetchAll', () => {
  it('follows nextCursor until the end', async () => {
    const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
      start: { items: [1, 2], nextCursor: 'c1' },
      c1: { items: [3, 4], nextCursor: 'c2' },
      c2: { items: [5], nextCursor: null },
    };
    const seen: Array<string | null> = [];
    const r = await fetchAll(async (c) => {
      seen.push(c);
      return pages[c ?? 'start']!;
    });
    expect(r).toEqual({ items: [1, 2, 3, 4, 5], truncated: false });
    expect(seen).toEqual([null, 'c1', 'c2']);
  });

  it('stops at max and says the result is truncated', async () => {
    const progress: number[] = [];
    const r = await fetchAll(
      async () => ({ items: [1, 2, 3], nextCursor: 'more' }),
      5,
      (n) => progress.push(n),
    );
    expect(r.items).toHaveLength(5);
    expect(r.truncated).toBe(true);
    expect(progress).toEqual([3, 6]);
  });
});
