import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

/** flock(1)'s exit status when another process holds the lock (chosen so it cannot be `cat`'s). */
const CONFLICT = 75;
/** How long a start waits for the lock: long enough for a holder killed a moment ago to be reaped. */
const WAIT_SECONDS = '1';

/**
 * PGlite is single-process: two processes on one data directory would corrupt it. The lock is an
 * OS-level exclusive flock(2) on `gatehouse.lock`, held for the life of the process, so the kernel
 * arbitrates races and releases it when the process dies, even by SIGKILL, and in whatever PID
 * namespace (container) the other process runs. Node has no flock API, so a child
 * `flock FILE sh -c 'echo locked; exec cat'` (util-linux, always present on Debian) holds it while
 * `cat` waits on a pipe from us: when we exit the pipe closes, `cat` ends and the lock goes with it.
 * The pid written into the file only names the holder in the error message; it decides nothing.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dataDir, 'gatehouse.lock');
  fs.closeSync(fs.openSync(lockPath, 'a', 0o600));
  const child = spawn(
    'flock',
    ['--exclusive', '--wait', WAIT_SECONDS, '--conflict-exit-code', String(CONFLICT), lockPath, 'sh', '-c', 'echo locked; exec cat'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const outcome = await new Promise<{ locked: true } | { locked: false; code: number | null; detail: string }>((resolve) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('locked\n')) resolve({ locked: true });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      resolve({
        locked: false,
        code: null,
        detail: e.code === 'ENOENT' ? 'the flock command (util-linux) is not installed; install it, or set DATABASE_URL' : e.message,
      }),
    );
    child.on('exit', (code) => resolve({ locked: false, code, detail: err.trim() }));
  });
  if (!outcome.locked) {
    if (outcome.code === CONFLICT) {
      const pid = Number(fs.readFileSync(lockPath, 'utf8').trim());
      const holder = Number.isInteger(pid) && pid > 0 ? `process ${pid}` : 'another process';
      throw new DataDirLockedError(
        `data directory ${path.resolve(dataDir)} is in use by ${holder}: the embedded ` +
          'database (PGlite) allows one process at a time. Stop that process, or set ' +
          'DATABASE_URL to a PostgreSQL server to run several instances.',
      );
    }
    throw new DataDirLockedError(`could not lock data directory ${path.resolve(dataDir)} with flock(1): ${outcome.detail || `exit ${outcome.code}`}`);
  }
  // Only the holder writes its pid (for the loser's message).
  fs.writeFileSync(lockPath, String(process.pid), { mode: 0o600 });
  // The lock child must not keep this process alive, and must not outlive it.
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    child.stdin.end(); // cat sees EOF and exits; flock releases the lock
  };
}
