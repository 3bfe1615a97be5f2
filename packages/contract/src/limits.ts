/**
 * Limits that the server enforces and the console explains, defined once. Plain values with no
 * TypeBox, so the console can import them (`@gatehouse/contract/limits`) without the schemas.
 */

/** [A5] The previous secret keeps working 60 seconds after a rotation unless told otherwise, at most 7 days. */
export const DEFAULT_GRACE_SECONDS = 60;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
