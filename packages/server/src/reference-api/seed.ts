import type { Queryable } from '../db/db.js';

/** Sample records for a new installation's first organization (stub). */
export async function seedSampleData(_q: Queryable, _orgId: string, _at: Date): Promise<void> {}
