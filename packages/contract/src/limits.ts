/**
 * Limits that the server enforces and the console explains, defined once. Plain values with no
 * TypeBox, so the console can import them (`@gatehouse/contract/limits`) without the schemas.
 */

/** [A5] The previous secret keeps working 60 seconds after a rotation unless told otherwise, at most 7 days. */
export const DEFAULT_GRACE_SECONDS = 60;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;

/** Issue 14 item 5: a secret older than this many days is marked "rotation recommended"; owners choose 1 to 3650 per organization. */
export const DEFAULT_SECRET_ROTATION_DAYS = 90;
export const MAX_SECRET_ROTATION_DAYS = 3650;
/** The window of a service account's activity chart, and of the credentials list's "unused" filter. */
export const ACTIVITY_DAYS = 30;
