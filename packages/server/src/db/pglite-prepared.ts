import { parse, protocol, type PGlite, type Results } from '@electric-sql/pglite';
import { GENERIC_PLAN } from './db.js';

const { serialize } = protocol;

/**
 * Named prepared statements for the PGlite worker (issue 16 item 6). `PGlite.query` parses,
 * analyzes and describes every statement again, in six calls into WASM (Parse, Describe,
 * Bind, Describe, Execute, Sync): measured on 0.5.16, a 10-row keyset page cost ~450 µs of the
 * worker's CPU, and `SELECT 1` ~120 µs. Here each distinct SQL text is parsed and described once
 * into a named statement (PostgreSQL protocol §55.2.3, "Extended Query"); later calls send Bind,
 * Describe, Execute and Sync in one buffer: the same page costs ~250 µs.
 *
 * Plans are still made for every call with that call's values: the worker sets
 * `plan_cache_mode = force_custom_plan` (PLAN_CACHE_MODE below), because a generic plan cannot use
 * `($5 IS NULL OR id > $5)` of a keyset page as an index bound and would scan a list from its
 * start. Statements written for one plan opt out (GENERIC_PLAN).
 *
 * Values are serialized and rows parsed by PGlite's own serializers and parsers, as `query` does,
 * and errors carry the same fields (PGlite's makePGliteError), so callers see no difference.
 */

/** Sent once when the worker opens PGlite; session-wide, outside any transaction so that no rollback undoes it. */
export const PLAN_CACHE_MODE = 'SET plan_cache_mode = force_custom_plan';

const SET_GENERIC = serialize.query('SET plan_cache_mode = force_generic_plan');
const SET_CUSTOM = serialize.query(PLAN_CACHE_MODE);

/** Distinct statements kept; the least recently used one is closed beyond this. */
const CAPACITY = 256;

interface Statement {
  name: string;
  /** Parameter types from ParameterDescription, to serialize values as PGlite does. */
  paramTypes: number[];
}

/** PGlite's query-mutex hook, present on the instance though not in its public type. */
type Exclusive = {
  _checkReady(): Promise<void>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
};

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export class PreparedStatements {
  private readonly statements = new Map<string, Statement>();
  /** Statements to close with the next message (evicted, or stale after a script). */
  private closing: string[] = [];
  private counter = 0;
  /**
   * Whether the session's plan_cache_mode is force_generic_plan (as a GENERIC_PLAN statement left
   * it) or PLAN_CACHE_MODE; null: unknown, after a transaction that set it (a rollback undoes a
   * SET). Setting it only on a change keeps a run of list calls free of SETs, which cost ~50 µs
   * a pair, a sixth of a list.
   */
  private generic: boolean | null = false;
  /** The transaction inside which PLAN_CACHE_MODE was last set. */
  private setIn: object | null = null;

  constructor(private readonly lite: PGlite) {}

  /**
   * `query(sql, params)` as PGlite answers it. `tx`: the open transaction the call is part of
   * (any object, the same for all its calls); its caller holds PGlite's transaction mutex, so only
   * the query mutex is taken, as `Transaction.query` does.
   */
  query<T>(sql: string, params: readonly unknown[], tx: object | null): Promise<Results<T>> {
    const lite = this.lite as PGlite & Exclusive;
    // `_checkReady` inside the mutex: a call queued behind close() fails with "PGlite is closed" (fatal, as from `query`).
    const run = () =>
      lite._runExclusiveQuery(async () => {
        await lite._checkReady();
        return this.run<T>(sql, params, tx);
      });
    return tx ? run() : lite._runExclusiveTransaction(run);
  }

  /**
   * A script (`exec`: migrations) may change what a statement means; PostgreSQL revalidates
   * prepared statements itself, but refuses one whose result columns changed, so all are dropped.
   */
  forgetAll(): void {
    for (const s of this.statements.values()) this.closing.push(s.name);
    this.statements.clear();
  }

  private async run<T>(sql: string, params: readonly unknown[], tx: object | null): Promise<Results<T>> {
    const lite = this.lite;
    try {
      const st = this.statements.get(sql) ?? (await this.prepare(sql));
      // Most recently used last: Map keeps insertion order.
      this.statements.delete(sql);
      this.statements.set(sql, st);
      const values = params.map((p, i) => {
        if (p === null || p === undefined) return null;
        const serializer = lite.serializers[st.paramTypes[i]!];
        return serializer ? serializer(p) : String(p);
      });
      // GENERIC_PLAN (db.ts): measured on a 10-row page of JSON on disk, ~520 µs of the worker's
      // CPU planned per call, ~290 µs with the generic plan and two SETs, ~240 µs without them.
      // A marked statement plans generically only outside a transaction, where its SET commits at
      // once; every other statement runs after PLAN_CACHE_MODE is back.
      const generic = !tx && sql.startsWith(GENERIC_PLAN);
      let set: Uint8Array | null = null;
      if (tx) {
        // A rollback undoes a SET made here, and what follows this transaction (a call outside
        // one, or another transaction) comes after it has ended: the mode is unknown then.
        if (this.generic !== false && this.setIn !== tx) [set, this.setIn, this.generic] = [SET_CUSTOM, tx, null];
      } else if (this.generic !== generic) {
        [set, this.generic] = [generic ? SET_GENERIC : SET_CUSTOM, generic];
      }
      const call = [serialize.bind({ statement: st.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()];
      const messages = await lite.execProtocolStream(concat(set ? [set, ...call] : call), { syncToFs: !tx });
      // One result per command: [SET, the statement] or [the statement].
      return parse.parseResults(messages, lite.parsers)[set ? 1 : 0] as Results<T>;
    } catch (err) {
      if (err instanceof Error && 'severity' in err) Object.assign(err, { query: sql, params, queryOptions: undefined });
      throw err;
    }
  }

  private async prepare(sql: string): Promise<Statement> {
    const parts: Uint8Array[] = [];
    while (this.statements.size >= CAPACITY) {
      const [oldest, st] = this.statements.entries().next().value as [string, Statement];
      this.statements.delete(oldest);
      this.closing.push(st.name);
    }
    for (const name of this.closing) parts.push(serialize.close({ type: 'S', name }));
    this.closing = [];
    const name = `gh_${++this.counter}`;
    parts.push(serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync());
    // Throws (syntax errors…) before anything is cached; a Sync ends the message either way.
    const messages = await this.lite.execProtocolStream(concat(parts), { syncToFs: false });
    const description = messages.find((m) => m.name === 'parameterDescription') as { dataTypeIDs: number[] } | undefined;
    const st = { name, paramTypes: description?.dataTypeIDs ?? [] };
    this.statements.set(sql, st);
    return st;
  }
}
