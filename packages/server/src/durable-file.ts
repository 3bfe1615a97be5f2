import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Files Gatehouse writes that must survive a power cut (issue 16 item 4): the master key, backups.
 * The content goes to a temporary file beside the target, is fsync'd, then takes the target's name
 * in one step, and the directory is fsync'd so that the name itself is on disk. A crash at any
 * point leaves either no file or the whole file, never a truncated one under the real name.
 */
export function writeFileDurably(file: string, content: string | Buffer, options: { mode: number; replace: boolean }): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', options.mode);
  try {
    try {
      fs.writeFileSync(fd, content); // loops until every byte is written
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // link(2) never replaces (EEXIST), for a file that must be created once; rename(2) replaces.
    if (options.replace) fs.renameSync(tmp, file);
    else fs.linkSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDirectory(dir);
}

/** Renames a file already written and fsync'd, and makes the new name durable. */
export function renameDurably(from: string, to: string): void {
  fs.renameSync(from, to);
  fsyncDirectory(path.dirname(to));
}

export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A new, renamed or removed directory entry is durable only once its directory is fsync'd. */
export function fsyncDirectory(dir: string): void {
  fsyncFile(dir);
}
