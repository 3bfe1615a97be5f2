// Child process for failures.test.ts: runs the real ServiceAccountService.rotateSecret against
// DATABASE_URL and, at the chosen step inside its transaction, prints PAUSED and hangs until the
// parent kills it with SIGKILL. Usage: rotate-and-hang.ts <serviceAccountId> <orgId> <after-retire|after-insert>
import { loadConfig } from '../../src/config.js';
import type { Db, Queryable } from '../../src/db/db.js';
import { createPgDb } from '../../src/db/pg-driver.js';
import { createGatehouse } from '../../src/gatehouse.js';

const [id, orgId, step] = process.argv.slice(2) as [string, string, string];
const marker = step === 'after-retire' ? 'UPDATE service_account_secrets' : 'INSERT INTO service_account_secrets';

const hangAfter = (q: Queryable): Queryable => ({
  exec: (sql) => q.exec(sql),
  async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const rows = await q.query<T>(sql, params);
    if (sql.trimStart().startsWith(marker)) {
      process.stdout.write('PAUSED\n');
      await new Promise(() => {}); // inside the open transaction, forever
    }
    return rows;
  },
});

const { config } = loadConfig();
const raw = createPgDb({ connectionString: config.databaseUrl!, max: 2 });
const db: Db = { ...raw, transaction: (fn) => raw.transaction((tx) => fn(hangAfter(tx))) };
const gh = await createGatehouse({ config: { ...config, port: 0 }, db });
await gh.services.serviceAccounts.rotateSecret({ type: 'system', id: 'test' }, orgId, id, 60, { ip: '' });
process.stdout.write('NOT PAUSED\n');
