import type { PageBody } from '@gatehouse/contract';
import { safeEqual, type SecretHasher } from '../crypto/secrets.js';
import type { JsonPage } from '../db/json-sql.js';
import { ApiError } from '../errors.js';

/** What a list route's query carries for paging (PageQuery and its relatives). */
export interface PageParams {
  cursor?: string | undefined;
  limit?: number | undefined;
}

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
  page<T extends { id: string }>(scope: string, rows: T[], limit: number, keyOf: (row: T) => string = (r) => r.id): PageBody<T> {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? this.encode(scope, keyOf(last)) : null };
  }

  /**
   * The one way a list route pages (§8 `{"items", "nextCursor"}`): reads `cursor` and `limit`
   * from the query, fetches `limit + 1` rows after the cursor's id (the extra row says whether
   * there is a next page), and presents each item. `scope` names the list, so that a cursor
   * cannot be replayed against another one.
   */
  async list<T extends { id: string }, U = T>(
    scope: string,
    query: PageParams,
    fetch: (after: string | null, limit: number) => Promise<T[]>,
    options: { present?: (row: T) => U; defaultLimit?: number; keyOf?: (row: T) => string } = {},
  ): Promise<PageBody<U>> {
    const limit = query.limit ?? options.defaultLimit ?? 50;
    const page = this.page(scope, await fetch(this.decode(scope, query.cursor), limit + 1), limit, options.keyOf);
    const present = options.present ?? ((row: T) => row as unknown as U);
    return { items: page.items.map(present), nextCursor: page.nextCursor };
  }

  /**
   * `list` for a page the database built as JSON text (db/json-sql.ts): the same query parameters,
   * the same cursor, and the §8 body as the response serializer would write it, as text to send
   * as it is. `fetch` gets `limit` and reads one row more itself.
   */
  async listJson(scope: string, query: PageParams, fetch: (after: string | null, limit: number) => Promise<JsonPage>, defaultLimit = 50): Promise<string> {
    const limit = query.limit ?? defaultLimit;
    const page = await fetch(this.decode(scope, query.cursor), limit);
    const next = page.more && page.lastKey !== null ? JSON.stringify(this.encode(scope, page.lastKey)) : 'null';
    return `{"items":${page.items},"nextCursor":${next}}`;
  }
}
