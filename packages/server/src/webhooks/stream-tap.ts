import type { AuditRow } from '../audit/store.js';

/** A committed audit event held for the audit streams, with its export position (txid, id). */
export interface TappedEvent {
  txid: bigint;
  id: string;
  row: AuditRow;
}

/** A stream's position: the last event put in a batch (exclusive), as stored. */
export interface StreamPosition {
  id: string;
  orgId: string;
  txid: string;
  eventId: string;
}

/** Events held per organization: a few full batches, so a stream that falls behind reads the database. */
const MAX_PER_ORG = 5_000;

/** (txid, id) order, as the export index sorts them (ids are ASCII; the databases collate them as C). */
const compare = (a: { txid: bigint; id: string }, b: { txid: bigint; id: string }): number =>
  a.txid === b.txid ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.txid < b.txid ? -1 : 1;

/**
 * [E4] The audit events this instance's grant group commit has committed, held in memory for the
 * organizations with a live audit stream, so that a stream's next batch is built from them rather
 * than read back. On the embedded database, reading 500 events back and building their body costs
 * ~20 µs per event even in SQL, as much as a tenth of the grant that wrote the event, and it holds
 * the one connection the grants commit through (issue 15: streamed grants within 10 % of plain).
 *
 * A hint only: a batch is taken from here only if the database holds exactly these events between
 * the stream's position and the last of them, all behind the horizon of transactions in progress
 * (batches.ts checks it in the statement that moves the position). Any other event in that range
 * (a console action, a refresh grant, another instance's grant) sends the batch the SQL way.
 */
export class StreamTap {
  private readonly events = new Map<string, TappedEvent[]>();
  private positions = new Map<string, StreamPosition>();

  /** The live audit streams and their positions, as the database has them (the worker re-reads them). */
  setStreams(streams: readonly StreamPosition[]): void {
    this.positions = new Map(streams.map((s) => [s.id, s]));
    const orgs = new Set(streams.map((s) => s.orgId));
    for (const org of this.events.keys()) if (!orgs.has(org)) this.events.delete(org);
    for (const org of orgs) if (!this.events.has(org)) this.events.set(org, []);
  }

  /** A stream was created or resumed in `orgId`: hold its events from now on. */
  addOrg(orgId: string): void {
    if (!this.events.has(orgId)) this.events.set(orgId, []);
  }

  /** Whether any of `rows` belongs to an organization with a stream (then the commit names its txid). */
  wants(rows: readonly AuditRow[]): boolean {
    if (this.events.size === 0) return false;
    return rows.some((r) => r.orgId !== null && this.events.has(r.orgId));
  }

  /** `rows` committed in transaction `txid`. */
  committed(txid: string, rows: readonly AuditRow[]): void {
    const t = BigInt(txid);
    for (const row of rows) {
      const held = row.orgId === null ? undefined : this.events.get(row.orgId);
      if (!held) continue;
      const e = { txid: t, id: row.id, row };
      // Commits arrive in order; insert in place should one not (the check would catch it anyway).
      let at = held.length;
      while (at > 0 && compare(held[at - 1]!, e) > 0) at--;
      held.splice(at, 0, e);
      if (held.length > MAX_PER_ORG) held.splice(0, held.length - MAX_PER_ORG);
    }
  }

  /** The held events of `orgId` after the position (txid, id), oldest first, at most `limit`. */
  after(orgId: string, txid: string, id: string, limit: number): TappedEvent[] {
    const held = this.events.get(orgId);
    if (!held?.length) return [];
    const from = { txid: BigInt(txid), id };
    let lo = 0;
    let hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(held[mid]!, from) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return held.slice(lo, lo + limit);
  }

  /** Stream `s` moved to (txid, eventId): events every stream of its organization has passed go. */
  moved(s: StreamPosition): void {
    this.positions.set(s.id, s);
    const held = this.events.get(s.orgId);
    if (!held?.length) return;
    let min: { txid: bigint; id: string } | null = null;
    for (const p of this.positions.values()) {
      if (p.orgId !== s.orgId) continue;
      const at = { txid: BigInt(p.txid), id: p.eventId };
      if (!min || compare(at, min) < 0) min = at;
    }
    if (!min) return;
    let n = 0;
    while (n < held.length && compare(held[n]!, min) <= 0) n++;
    if (n) held.splice(0, n);
  }
}
