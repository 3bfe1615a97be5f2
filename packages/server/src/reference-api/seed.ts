import type { Queryable } from '../db/db.js';
import { newId } from '../ids.js';
import { resourceByPath } from './catalogue.js';
import { recordStore } from './store.js';

/** A few records per read-only resource, so a new installation's first API call shows something. */
const SAMPLES: Record<string, Record<string, unknown>[]> = {
  'governance/controls': [
    { name: 'Access reviews', reference: 'AC-2', status: 'implemented', description: 'Quarterly review of privileged access.' },
    { name: 'Encryption at rest', reference: 'SC-28', status: 'implemented', description: 'Customer data is encrypted at rest.' },
    { name: 'Vulnerability scanning', reference: 'RA-5', status: 'partially_implemented', description: 'Weekly authenticated scans.' },
  ],
  'governance/risks': [
    { title: 'Credential leakage from CI', likelihood: 'medium', impact: 'high', status: 'open' },
    { title: 'Single region deployment', likelihood: 'low', impact: 'high', status: 'accepted' },
  ],
  'governance/frameworks': [{ name: 'SOC 2', publisher: 'AICPA' }],
  'governance/evidence-requirements': [{ name: 'Access review export', controlReference: 'AC-2', frequency: 'quarterly' }],
  'governance/submission-requirements': [{ name: 'Annual SOC 2 Type II report', dueDate: '2026-12-31' }],
  'governance/submission-packages': [{ name: 'SOC 2 Type II 2026', status: 'in_preparation' }],
  assets: [
    { name: 'api-gateway', type: 'service', environment: 'production' },
    { name: 'customer-db', type: 'database', environment: 'production' },
  ],
  'governance/findings': [{ title: 'Stale admin account found in access review', severity: 'medium', status: 'open' }],
};

export async function seedSampleData(q: Queryable, orgId: string, at: Date): Promise<void> {
  for (const [path, items] of Object.entries(SAMPLES)) {
    const def = resourceByPath(path)!;
    for (const data of items) {
      await recordStore.insert(q, { orgId, resource: path, parentId: null, ownerId: null }, { id: newId(def.prefix), data, at, by: 'system' });
    }
  }
  const frameworks = await recordStore.list(q, { orgId, resource: 'governance/frameworks', parentId: null, ownerId: null }, null, 1);
  await recordStore.insert(
    q,
    { orgId, resource: 'governance/framework-versions', parentId: null, ownerId: null },
    {
      id: newId('frv'),
      data: { frameworkId: frameworks[0]?.id, version: '2017 (revised 2022)' },
      at,
      by: 'system',
    },
  );
}
