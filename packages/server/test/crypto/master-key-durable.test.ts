import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MasterKey } from '../../src/crypto/master-key.js';
import { writeFileDurably } from '../../src/durable-file.js';

/** Issue 16 item 4: master.key (and other files that must survive) are written whole and synced. */
describe('durable file writes', () => {
  const dirs: string[] = [];
  const tmpDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-durable-file-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    vi.restoreAllMocks();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('master.key goes to a temp file, is fsync’d, takes its name, then the directory is fsync’d', () => {
    const dir = tmpDir();
    const steps: string[] = [];
    const fdNames = new Map<number, string>();
    const open = fs.openSync.bind(fs);
    vi.spyOn(fs, 'openSync').mockImplementation(((p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      const fd = open(p, flags ?? 'r', mode);
      fdNames.set(fd, path.basename(String(p)));
      return fd;
    }) as typeof fs.openSync);
    const fsync = fs.fsyncSync.bind(fs);
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
      steps.push(`fsync ${fdNames.get(fd) === path.basename(dir) ? 'dir' : /^\.master\.key\..*\.tmp$/.test(fdNames.get(fd) ?? '') ? 'tmp' : fdNames.get(fd)}`);
      fsync(fd);
    });
    const link = fs.linkSync.bind(fs);
    vi.spyOn(fs, 'linkSync').mockImplementation((from: fs.PathLike, to: fs.PathLike) => {
      steps.push(`link tmp -> ${path.basename(String(to))}`);
      link(from, to);
    });

    MasterKey.fromDataDir(dir);
    expect(steps).toEqual(['fsync tmp', 'link tmp -> master.key', 'fsync dir']);
    expect(fs.readdirSync(dir)).toEqual(['master.key']); // no temp file left behind
    expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('a crash before the key takes its name leaves no master.key at all, so the next start makes a whole one', () => {
    const dir = tmpDir();
    vi.spyOn(fs, 'linkSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EIO: power lost'), { code: 'EIO' });
    });
    expect(() => MasterKey.fromDataDir(dir)).toThrow(/EIO/);
    expect(fs.readdirSync(dir)).toEqual([]);
    vi.restoreAllMocks();
    const key = MasterKey.fromDataDir(dir);
    expect(MasterKey.fromDataDir(dir).decrypt(key.encrypt('grant', 'ctx'), 'ctx').toString()).toBe('grant');
  });

  it('never replaces an existing key; a restore installing a different one is refused and changes nothing', () => {
    const dir = tmpDir();
    const first = MasterKey.fromDataDir(dir);
    const before = fs.readFileSync(path.join(dir, 'master.key'), 'utf8');
    const sealed = first.encrypt('secret', 'ctx');
    expect(() => MasterKey.install(dir, Buffer.alloc(32, 7).toString('base64'))).toThrow(/already holds another master key/);
    expect(fs.readFileSync(path.join(dir, 'master.key'), 'utf8')).toBe(before);
    expect(MasterKey.fromDataDir(dir).decrypt(sealed, 'ctx').toString()).toBe('secret');
    expect(fs.readdirSync(dir)).toEqual(['master.key']);
  });

  it('replace: true swaps the whole file in one step (backups)', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'out.json');
    writeFileDurably(file, 'old', { mode: 0o600, replace: true });
    writeFileDurably(file, 'new', { mode: 0o600, replace: true });
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['out.json']);
  });
});
