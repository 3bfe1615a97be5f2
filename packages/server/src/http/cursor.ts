import { safeEqual, type SecretHasher } from '../crypto/secrets.js';
import { ApiError } from '../errors.js';

/**
 * Opaque, tamper-proof pagination cursors: the last id of a page plus what list it belongs to,
 * MAC'd with a server key. A cursor edited by hand, or replayed against another organization or
 * resource, is refused with 400 invalid_cursor.
 */
export class Cursors {
  constructor(private readonly hasher: SecretHasher) {}

  encode(scope: string, lastId: string): string {
    const body = Buffer.from(JSON.stringify({ k: lastId })).toString('base64url');
    return `${body}.${this.hasher.mac(`cursor:${scope}`, body).slice(0, 22)}`;
  }

  decode(scope: string, cursor: string | undefined): string | null {
    if (cursor === undefined || cursor === '') return null;
    const [body, tag] = cursor.split('.');
    if (!body || !tag || !safeEqual(this.hasher.mac(`cursor:${scope}`, body).slice(0, 22), tag)) {
      throw new ApiError('invalid_cursor', 'the cursor is invalid or belongs to another list');
    }
    try {
      const { k } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { k?: unknown };
      if (typeof k === 'string') return k;
    } catch {
      /* fall through */
    }
    throw new ApiError('invalid_cursor', 'the cursor is invalid or belongs to another list');
  }

  /** Builds a page from `limit + 1` fetched rows; `keyOf` is the keyset position (default: the id). */
  page<T extends { id: string }>(scope: string, rows: T[], limit: number, keyOf: (row: T) => string = (r) => r.id): { items: T[]; nextCursor: string | null } {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? this.encode(scope, keyOf(last)) : null };
  }
}
