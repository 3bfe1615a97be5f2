import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * Global setup of the suites that run on PGlite: one initialized, empty database, dumped once and
 * kept in node_modules/.cache for later runs (keyed by PGlite's version, since its data directory
 * format is its own; ProvidedContext is declared in support/db.ts). Every in-memory test database
 * starts as a copy of it (createPgliteDb's `template`) instead of running initdb: opening one took
 * ~5.3 s on a 2-core machine, a copy ~1.4 s. The copy is what initdb would have written;
 * migrations still run on every database, as in production.
 */
export default async function setup(project: TestProject): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  const file = path.join(root, 'node_modules/.cache/gatehouse-test', `pglite-${pkg.version}-empty.tar`);
  if (!fs.existsSync(file)) {
    const lite = await PGlite.create();
    const dump = await lite.dumpDataDir('none');
    await lite.close();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed, so that an interrupted run leaves no half-written template.
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
    fs.renameSync(partial, file);
  }
  project.provide('pgliteTemplate', file);
}
