import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const SERVER = { DATABASE_URL: 'postgres://db.example/gatehouse', GATEHOUSE_MASTER_KEY: 'k'.repeat(44) };

/** Issue 16 item 2: GATEHOUSE_WORKERS, the worker processes of server mode (cluster/primary.ts). */
describe('GATEHOUSE_WORKERS', () => {
  it('defaults to one worker per CPU on PostgreSQL, and to one process on the embedded database', () => {
    expect(loadConfig(SERVER).config.workers).toBe(os.availableParallelism());
    expect(loadConfig({}).config.workers).toBe(1);
  });

  it('takes a whole number on PostgreSQL; 1 is accepted everywhere', () => {
    expect(loadConfig({ ...SERVER, GATEHOUSE_WORKERS: '3' }).config.workers).toBe(3);
    expect(loadConfig({ GATEHOUSE_WORKERS: '1' }).config.workers).toBe(1);
  });

  it('refuses more than one worker on the embedded database, saying why, instead of ignoring it', () => {
    expect(() => loadConfig({ GATEHOUSE_WORKERS: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ GATEHOUSE_WORKERS: '2' })).toThrow(/GATEHOUSE_WORKERS=2 needs DATABASE_URL: the embedded database is one process/);
  });

  it.each(['0', '-1', '1.5', 'many', '257'])('refuses GATEHOUSE_WORKERS=%s', (value) => {
    expect(() => loadConfig({ ...SERVER, GATEHOUSE_WORKERS: value })).toThrow(/GATEHOUSE_WORKERS must be a whole number from 1 to 256/);
  });
});
