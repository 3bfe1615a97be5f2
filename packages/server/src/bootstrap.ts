import type { AuditLog } from './audit/audit-log.js';
import type { Clock } from './clock.js';
import { ConfigError, type Config } from './config.js';
import { generatePassword, type PasswordHasher } from './crypto/passwords.js';
import type { Db, Queryable } from './db/db.js';
import { newId } from './ids.js';
import { organizationStore } from './organizations/store.js';
import { passwordProblem } from './users/password-policy.js';
import { userStore } from './users/store.js';

export const DEFAULT_ADMIN_EMAIL = 'admin@gatehouse.local';

export interface BootstrapResult {
  email: string;
  orgId: string;
  /** Set only when the password was generated: the caller prints it once. */
  generatedPassword?: string;
}

/**
 * §9: on the first start of an empty database, create the first owner and a first organization.
 * A later start, or a second instance racing the first, does nothing (the advisory lock and the
 * users check are in one transaction).
 */
export async function bootstrapFirstOwner(
  db: Db,
  clock: Clock,
  passwords: PasswordHasher,
  audit: AuditLog,
  config: Config,
  seed?: (tx: Queryable, orgId: string, at: Date) => Promise<void>,
): Promise<BootstrapResult | null> {
  if ((await userStore.count(db)) > 0) return null; // the common case: not the first start
  const email = config.adminEmail ?? DEFAULT_ADMIN_EMAIL;
  // [P4] loadConfig checked the rules that need no list; the common-password list only matters
  // when the password is used, here, so later starts never read it.
  const problem = config.adminPassword ? await passwordProblem(config.adminPassword, email) : null;
  if (problem) throw new ConfigError(`GATEHOUSE_ADMIN_PASSWORD is refused: ${problem}`);
  const generatedPassword = config.adminPassword ? undefined : generatePassword();
  const passwordHash = await passwords.hash(config.adminPassword ?? generatedPassword!);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7201734)');
    if ((await userStore.count(tx)) > 0) return null;
    const now = clock.now();
    const userId = newId('usr');
    const orgId = newId('org');
    await userStore.insert(tx, {
      id: userId,
      email,
      name: email.split('@')[0] ?? email,
      passwordHash,
      createdAt: now,
      mustChangePassword: generatedPassword !== undefined,
    });
    await organizationStore.insert(tx, { id: orgId, name: 'My organization', createdAt: now });
    await organizationStore.addMember(tx, orgId, userId, 'owner', now);
    await audit.inTransaction(
      tx,
      {
        orgId,
        action: 'organization.create',
        outcome: 'success',
        actor: { type: 'system', name: 'bootstrap' },
        target: { type: 'organization', id: orgId },
        detail: { owner: userId, ownerEmail: email },
      },
      { ip: '' },
    );
    if (seed) await seed(tx, orgId, now);
    return { email, orgId, ...(generatedPassword ? { generatedPassword } : {}) };
  });
}
