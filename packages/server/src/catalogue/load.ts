import fs from 'node:fs';
import path from 'node:path';
import type { Catalogue } from '@gatehouse/access';
import { parse as parseYaml } from 'yaml';
import { ROLE_SCOPES, SCOPE_CATALOGUE } from './scopes.js';
import { CatalogueError, validateCatalogue } from './validate.js';

export { CatalogueError } from './validate.js';

/** Larger than any hand-written catalogue; a bigger file is a mistake, not a catalogue. */
const MAX_BYTES = 1024 * 1024;

/**
 * [C1] Reads and validates `GATEHOUSE_CATALOGUE`: JSON by its `.json` extension (or, without one
 * of `.json/.yaml/.yml`, by a first `{`), YAML otherwise (the `yaml` package, YAML 1.2 core schema,
 * so `no`/`on` stay strings). Every problem is a CatalogueError naming the file and the place.
 */
export function loadCatalogueFile(file: string): Catalogue {
  const name = path.basename(file);
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_BYTES) throw new CatalogueError(`${name}: larger than 1 MB`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof CatalogueError) throw err;
    throw new CatalogueError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseCatalogue(text, name);
}

/** Parses catalogue text (JSON or YAML, see loadCatalogueFile) and validates it. */
export function parseCatalogue(text: string, name: string): Catalogue {
  const ext = path.extname(name).toLowerCase();
  const json = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && text.trimStart().startsWith('{'));
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw new CatalogueError(`${name}: not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateCatalogue(raw, name);
}

/**
 * The built-in demo catalogue (§6, §7): one API whose audience is the server's configured one
 * (GATEHOUSE_AUDIENCE, by default the issuer), the §6 scopes and role table, no routes (the
 * reference API checks its scopes itself), and the reference API served.
 */
export function demoCatalogue(audience: string): Catalogue {
  return {
    apis: [
      {
        id: 'gatehouse-demo',
        audience,
        description: 'The reference API (governance, assets, SBOM buckets, ...)',
        scopes: SCOPE_CATALOGUE.map((s) => ({ name: s.scope, description: s.description })),
        routes: [],
      },
    ],
    roles: ROLE_SCOPES,
    demo: true,
  };
}
