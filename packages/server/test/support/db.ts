import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { createPgDb } from '../../src/db/pg-driver.js';
import { createPgliteDb } from '../../src/db/pglite-driver.js';

/**
 * Which database the suite runs on: the vitest project sets GATEHOUSE_TEST_DRIVER (see
 * vitest.config.ts). Postgres runs give each caller its own schema, dropped on close.
 */
export const TEST_DRIVER = (process.env.GATEHOUSE_TEST_DRIVER ?? 'pglite') as 'pglite' | 'postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tarball of a fresh, empty PGlite database (support/pglite-template.ts). */
    pgliteTemplate: string;
  }
}

/** The empty database every in-memory one starts from (support/pglite-template.ts), read once per test process. */
let template: Uint8Array<ArrayBuffer> | undefined;
const pgliteTemplate = (): Uint8Array<ArrayBuffer> => (template ??= Uint8Array.from(fs.readFileSync(inject('pgliteTemplate'))));

export async function createTestDb(): Promise<Db> {
  if (TEST_DRIVER === 'pglite') return createPgliteDb(undefined, { template: pgliteTemplate() });
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  if (!url) throw new Error('GATEHOUSE_TEST_DATABASE_URL is not set for the postgres project');
  const schema = `gh_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = createPgDb({ connectionString: url, schema, max: 5 });
  return {
    ...db,
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}
