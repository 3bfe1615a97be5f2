import fs from 'node:fs';
import { DatabaseUnavailableError, type Db, type Queryable } from './db.js';

/**
 * [R3] A full or unwritable disk is a 503 that ends by itself, never a 500 or an auth failure.
 * SQLSTATE 53100 disk_full, 53200 out_of_memory, 58030 io_error, 25006 read_only_sql_transaction
 * (PGlite and PostgreSQL alike), and the errno codes a file write fails with.
 */
const STORAGE_CODES = new Set(['53100', '53200', '58030', '25006', 'ENOSPC', 'EROFS', 'EDQUOT']);
const STORAGE_MESSAGE = /No space left on device|Read-only file system|Disk quota exceeded/i;

/** Refused because the data directory is (nearly) full or not writable; a DatabaseUnavailableError, so 503. */
export class StorageUnavailableError extends DatabaseUnavailableError {
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super(cause ?? new Error(reason));
  }
}

/** True for a storage fault, raised by either driver or by our own guard (the cause chain is followed). */
export function isStorageFault(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof StorageUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && STORAGE_CODES.has(code)) return true;
    if (STORAGE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/** Free bytes in `dir`; throws (EROFS, EACCES, ENOENT…) when the directory cannot be written. */
export type StorageProbe = (dir: string) => Promise<{ freeBytes: number }>;

/** The real probe: access(2) reports EROFS even to root; statfs(2) the space left to unprivileged writers. */
export const fsStorageProbe: StorageProbe = async (dir) => {
  await fs.promises.access(dir, fs.constants.W_OK);
  const s = await fs.promises.statfs(dir);
  return { freeBytes: s.bavail * s.bsize };
};

/** Statements that only read: anything else (and a read that locks rows or takes a sequence value) writes. */
const READS = /^\s*(SELECT|SHOW|WITH)\b/i;
const WRITES_ANYWAY = /\b(INSERT|UPDATE|DELETE|MERGE|nextval|setval|FOR\s+(NO\s+KEY\s+)?UPDATE|FOR\s+(KEY\s+)?SHARE)\b/i;
const isWrite = (sql: string): boolean => !READS.test(sql) || WRITES_ANYWAY.test(sql);

export interface StorageGuardOptions {
  dir: string;
  /** Below this many free bytes, writes are refused before the database hits ENOSPC. */
  minFreeBytes: number;
  probe?: StorageProbe;
  /** How often the probe runs (one statfs; cheap). */
  intervalMs?: number;
}

/**
 * Keeps a free-space floor for the embedded database. PGlite survives ENOSPC on a data file, but
 * when it cannot create its next WAL segment it spins inside WASM on the next query, blocking the
 * event loop for good (measured on 0.5.16): the only safe way is never to get there. So writes
 * are refused (503) while the data directory has less than the floor free or is not writable,
 * reads go on, /readyz fails, and all of it lifts at the next probe that finds room again.
 */
export class StorageGuard {
  private problem: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly probe: StorageProbe;
  /** Called when the state changes: a reason, or null when writable again (the server logs it). */
  onChange: ((problem: string | null) => void) | null = null;

  constructor(private readonly opts: StorageGuardOptions) {
    this.probe = opts.probe ?? fsStorageProbe;
  }

  /** Probes now; resolves with the current problem (null: writable). */
  async check(): Promise<string | null> {
    try {
      const { freeBytes } = await this.probe(this.opts.dir);
      this.set(
        freeBytes < this.opts.minFreeBytes
          ? `the data directory has ${Math.floor(freeBytes / 1048576)} MB free, below the floor of ${Math.ceil(this.opts.minFreeBytes / 1048576)} MB (GATEHOUSE_MIN_FREE_MB)`
          : null,
      );
    } catch (err) {
      this.set(`the data directory is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return this.problem;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The database itself reported a storage fault: refuse writes until a probe finds room again. */
  reportFault(err: unknown): void {
    this.set(`the database reported a storage fault (${(err as { code?: string }).code ?? 'unknown'})`);
  }

  /** Throws StorageUnavailableError while writes are refused (/readyz, and before every write). */
  assertWritable(): void {
    if (this.problem) throw new StorageUnavailableError(this.problem);
  }

  /** `db` with every write checked against the floor, and storage faults noted. */
  wrap(db: Db): Db {
    const guarded = (q: Queryable): Queryable => ({
      query: async (sql, params) => {
        if (isWrite(sql)) this.assertWritable();
        return this.noting(() => q.query(sql, params));
      },
      exec: async (sql) => {
        this.assertWritable();
        return this.noting(() => q.exec(sql));
      },
    });
    return {
      ...db,
      ...guarded(db),
      transaction: (fn, options) => this.noting(() => db.transaction((tx) => fn(guarded(tx)), options)),
    };
  }

  private async noting<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (isStorageFault(err) && !(err instanceof StorageUnavailableError)) this.reportFault(err);
      throw err;
    }
  }

  private set(problem: string | null): void {
    if (problem === this.problem) return;
    this.problem = problem;
    this.onChange?.(problem);
  }
}
