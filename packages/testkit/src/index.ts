/**
 * @gatehouse/testkit: what the SDK's and the CLI's tests need of a running Gatehouse, in one
 * package, so that no package's tests import another package's test folder. The harness itself
 * stays beside the server's own tests (which use it unchanged); this is its public door.
 */
export {
  startHarness,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  ISSUER,
  type Harness,
  type HarnessOptions,
  type ConsoleSession,
} from '../../server/test/support/harness.js';
export { startListening, freePort } from '../../server/test/support/listening.js';
export { TEST_DRIVER } from '../../server/test/support/db.js';
export { cuttable } from '../../server/test/support/cuttable-db.js';
export { ManualClock } from '../../server/src/clock.js';
export { totpCode } from '../../server/test/mfa/support.js';

/** A harness listening on a real port (its issuer is its URL). */
export type ListeningHarness = import('../../server/test/support/harness.js').Harness & { url: string };
