// `npm run lint:openapi` ([M4]): writes the OpenAPI document a freshly built server serves at
// /openapi.json to a temporary file and runs `redocly lint` on it with the recommended rules
// (redocly.yaml). An embedded database in a temporary directory, no listener.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../packages/server/dist/config.js';
import { createGatehouse } from '../packages/server/dist/gatehouse.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-openapi-'));
const out = path.join(tmp, 'openapi.json');
let status = 1;
try {
  const env = { GATEHOUSE_DATA_DIR: path.join(tmp, 'data'), GATEHOUSE_ISSUER: 'https://gatehouse.example.org', GATEHOUSE_ADMIN_EMAIL: 'owner@example.org' };
  const gatehouse = await createGatehouse({ config: loadConfig(env).config, logger: false });
  try {
    const res = await gatehouse.app.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
    fs.writeFileSync(out, res.body);
  } finally {
    await gatehouse.close();
  }
  const redocly = path.join(root, 'node_modules', '.bin', 'redocly');
  status = spawnSync(redocly, ['lint', '--config', path.join(root, 'redocly.yaml'), out], { stdio: 'inherit' }).status ?? 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(status);
