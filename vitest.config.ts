import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The suite runs once per database: always on embedded PGlite, and again on PostgreSQL when
 * GATEHOUSE_TEST_DATABASE_URL is set (CI always sets it; an unreachable database then fails the
 * run instead of skipping). Without it, the Postgres half is skipped and says so.
 */
const postgresUrl = process.env.GATEHOUSE_TEST_DATABASE_URL;
if (!postgresUrl) {
  console.warn('\n[gatehouse] SKIPPING the PostgreSQL project: GATEHOUSE_TEST_DATABASE_URL is not set; ' + 'running the suite on embedded PGlite only.\n');
}

/**
 * Tests run the access core and the SDK from source, so that a change to either (or a mutation
 * made by hand to check a test) is what the server's, the SDK's and the core's tests exercise.
 */
const alias = {
  '@gatehouse/access': fileURLToPath(new URL('./packages/access/src/index.ts', import.meta.url)),
  '@gatehouse/sdk': fileURLToPath(new URL('./packages/sdk/src/index.ts', import.meta.url)),
};

const shared = {
  include: ['packages/*/test/**/*.test.ts'],
  alias,
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // Files run in parallel child processes, one database each.
    pool: 'forks',
    reporters: ['default', './tools/summary-reporter.ts'],
    projects: [
      // Multi-instance tests need a PostgreSQL server (PGlite is one process): postgres project only.
      {
        test: {
          ...shared,
          name: 'pglite',
          exclude: ['**/node_modules/**', 'packages/server/test/cluster/**', 'packages/sdk/test/verifier-cluster.test.ts'],
          env: { GATEHOUSE_TEST_DRIVER: 'pglite' },
          globalSetup: ['packages/server/test/support/pglite-template.ts'],
        },
      },
      // The console in real headless Chromium (*.browser.ts, so the database projects above do not
      // pick them up): once, on PGlite, one file at a time. Skipped, saying why, without /usr/bin/chromium.
      {
        test: {
          name: 'browser',
          include: ['packages/console/test/browser/**/*.browser.ts'],
          alias,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          env: { GATEHOUSE_TEST_DRIVER: 'pglite' },
          globalSetup: ['packages/server/test/support/pglite-template.ts'],
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                ...shared,
                name: 'postgres',
                // The console's unit tests touch no database, and these start embedded-mode processes
                // or an embedded data directory whatever the project: they run once, in the pglite project.
                exclude: [
                  '**/node_modules/**',
                  'packages/console/**',
                  'packages/cli/test/install-from-tarballs.test.ts',
                  'packages/server/test/main.test.ts',
                  'packages/server/test/db/data-dir-lock.test.ts',
                  'packages/server/test/db/disk-faults-tmpfs.test.ts',
                  'packages/server/test/db/pglite-worker.test.ts',
                  'packages/server/test/db/embedded-vacuum.test.ts',
                  'packages/server/test/db/pglite-worker-crash.test.ts',
                  'packages/server/test/db/pglite-durability.test.ts',
                  'packages/server/test/db/durability-strace.test.ts',
                  'packages/server/test/db/kill9-under-load.test.ts',
                ],
                env: { GATEHOUSE_TEST_DRIVER: 'postgres' },
                globalSetup: ['packages/server/test/support/postgres-global-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
