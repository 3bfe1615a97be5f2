import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * Durable commits on the embedded database (issue 16 item 4): an acknowledged commit is on disk.
 *
 * PGlite 0.5 starts Postgres with `-F` (fsync off), and even with fsync on its Emscripten file
 * layer would not reach the disk: `fdatasync()` is an empty stub, and `fsync()` (WASI `fd_sync`)
 * calls the mounted filesystem's `stream_ops.fsync`, which NODEFS does not define. So we:
 *  1. start Postgres without `-F` and with `wal_sync_method=fsync`, the one method that goes
 *     through `fd_sync`; Postgres then syncs exactly where it would on Linux: the WAL up to the
 *     commit record before COMMIT returns (synchronous_commit=on), new WAL segments and their
 *     directory, and at each checkpoint every data file written since the last one, before the
 *     WAL that covers them can be recycled;
 *  2. give NODEFS the missing `fsync`, on the real file descriptor: fdatasync for WAL segments
 *     (Postgres's Linux default; they are preallocated, so only data moves), fsync for the rest;
 *  3. after opening, fsync every file and directory under pgdata once, so that PGlite's initdb copy
 *     on first start, and anything an older build wrote with fsync off, is durable before the
 *     first new commit.
 * A failed sync ends the process (exit 70) before the commit returns, like PostgreSQL's PANIC: it
 * never retries (the kernel may have dropped the dirty pages), and the restart recovers from the
 * WAL. Handing PGlite 0.5.16 an errno instead was tried: the PANIC it raises at an explicit
 * COMMIT spins forever, and a JavaScript exception thrown into it acknowledges the commit.
 *
 * Everything here is per instance (closures, no module state), so it runs wherever PGlite runs,
 * on the main thread or inside a worker.
 */
export interface DurabilityOptions {
  /**
   * false: PGlite's own settings (fsync off), for benchmarks only. A power cut or kernel crash can
   * then lose acknowledged grants, rotations and new secrets (GATEHOUSE_EMBEDDED_SYNC=off).
   */
  sync: boolean;
  /** The sync itself; tests replace it to watch or to fail it. */
  syncFd?: (fd: number, kind: 'wal' | 'file' | 'dir') => void;
  /**
   * Called when a sync fails, inside PGlite's call; must not return. Default: one line on stderr
   * and exit 70, as main.ts does for a fatal embedded database error (in a worker thread,
   * process.exit ends the worker, and its owner sees the exit).
   */
  onSyncFailure?: (err: unknown) => never;
}

export interface PgliteDurability {
  /** Options to pass to `PGlite.create` (filesystem and start parameters). */
  readonly createOptions: PGliteOptions;
  /** Run once after `PGlite.create` resolves and before the first write is acknowledged. */
  afterOpen(): void;
  /** How many syncs the database has asked for so far (for tests and measurements). */
  syncs(): number;
}

const defaultSyncFd = (fd: number, kind: 'wal' | 'file' | 'dir'): void => {
  if (kind === 'wal') fs.fdatasyncSync(fd);
  else fs.fsyncSync(fd);
};

function exitOnSyncFailure(err: unknown): never {
  const reason = (err as NodeJS.ErrnoException | null)?.code ?? String((err as Error | null)?.message ?? err).slice(0, 200);
  // Synchronous write: the process ends on the next line, before any reply leaves.
  fs.writeSync(2, `gatehouse: could not sync the embedded database to disk (${reason}): exiting before acknowledging; a restart recovers from the WAL\n`);
  process.exit(70);
}

interface NodefsStream {
  nfd?: number;
  path?: string;
  node: { mode: number };
}
interface EmscriptenModule {
  NODEFS: { stream_ops: { fsync?: (stream: NodefsStream) => number } };
  FS: { isDir(mode: number): boolean };
}

/** NodeFS whose streams can be synced: Postgres's fsync() reaches the real file. */
class SyncingNodeFS extends NodeFS {
  constructor(
    dir: string,
    private readonly onSync: (mod: EmscriptenModule, stream: NodefsStream) => number,
  ) {
    super(dir);
  }

  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const result = await super.init(pg, opts);
    const preRun = [...((result.emscriptenOpts.preRun as unknown[] | undefined) ?? [])];
    preRun.push((mod: EmscriptenModule) => {
      mod.NODEFS.stream_ops.fsync = (stream) => this.onSync(mod, stream);
    });
    return { emscriptenOpts: { ...result.emscriptenOpts, preRun } as typeof result.emscriptenOpts };
  }
}

export function pgliteDurability(pgdata: string, options: DurabilityOptions): PgliteDurability {
  if (!options.sync) {
    return { createOptions: { dataDir: pgdata }, afterOpen: () => {}, syncs: () => 0 };
  }
  const syncFd = options.syncFd ?? defaultSyncFd;
  const onSyncFailure = options.onSyncFailure ?? exitOnSyncFailure;
  let count = 0;
  const onSync = (mod: EmscriptenModule, stream: NodefsStream): number => {
    if (stream.nfd === undefined) return 0; // never opened on the host: nothing to sync
    const kind = mod.FS.isDir(stream.node.mode) ? 'dir' : /\/pg_wal\/[0-9A-F]{24}$/.test(stream.path ?? '') ? 'wal' : 'file';
    try {
      syncFd(stream.nfd, kind);
    } catch (err) {
      onSyncFailure(err);
    }
    count++;
    return 0;
  };
  return {
    createOptions: {
      fs: new SyncingNodeFS(pgdata, onSync),
      startParams: [...PGlite.defaultStartParams.filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'wal_sync_method=fsync', '-c', 'synchronous_commit=on'],
    },
    afterOpen: () => syncTree(pgdata, syncFd),
    syncs: () => count,
  };
}

/** fsync every file, then every directory (children before parents), under `root`. */
function syncTree(root: string, syncFd: (fd: number, kind: 'file' | 'dir') => void): void {
  const dirs: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) syncPath(full, 'file', syncFd);
    }
    dirs.push(dir);
  };
  walk(root);
  for (const dir of dirs) syncPath(dir, 'dir', syncFd);
  syncPath(path.dirname(root), 'dir', syncFd);
}

function syncPath(file: string, kind: 'file' | 'dir', syncFd: (fd: number, kind: 'file' | 'dir') => void): void {
  const fd = fs.openSync(file, 'r');
  try {
    syncFd(fd, kind);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens PGlite wherever it runs (this thread or the worker): on disk with durable commits
 * (db/pglite-durability.ts, issue 16 item 4), in memory (tests) as it comes.
 */
export async function openPglite(pgdata: string | undefined, durabilityOptions: DurabilityOptions, template?: Uint8Array<ArrayBuffer>): Promise<PGlite> {
  // In memory there is nothing to sync. A template (db/pglite-driver.ts) replaces initdb.
  if (!pgdata) return PGlite.create(template ? { loadDataDir: new Blob([template]) } : {});
  const durability = pgliteDurability(pgdata, durabilityOptions);
  const lite = await PGlite.create(durability.createOptions);
  try {
    durability.afterOpen();
  } catch (err) {
    await lite.close();
    throw err;
  }
  return lite;
}
