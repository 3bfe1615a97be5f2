import pg from 'pg';

/** Fails the Postgres project at once, with a clear message, when its database is unreachable. */
export default async function setup(): Promise<void> {
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(`GATEHOUSE_TEST_DATABASE_URL is set but PostgreSQL is unreachable (${(err as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}
