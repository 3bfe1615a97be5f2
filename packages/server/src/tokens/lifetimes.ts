/** How long the access tokens Gatehouse mints live, in one place. */

/** [A3] Service-account tokens live 900 seconds, never beyond the account's expiry. */
export const SERVICE_ACCOUNT_TOKEN_SECONDS = 900;

/** [B3] Access tokens minted from a refresh token live one hour. */
export const USER_TOKEN_SECONDS = 3600;

/** The longest lifetime of any access token: a retired signing key stays published this long (§4). */
export const MAX_TOKEN_LIFETIME_SECONDS = Math.max(SERVICE_ACCOUNT_TOKEN_SECONDS, USER_TOKEN_SECONDS);
