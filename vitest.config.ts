import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own PGlite or Postgres schema; files run in parallel on 2 cores.
    pool: 'forks',
    reporters: ['default'],
  },
});
