/**
 * The console API's contract (§8), written once: TypeBox schemas the server validates and
 * serializes with (and builds /openapi.json from), and the types the console and the CLI read.
 * Clients import types only (`import type`), so no TypeBox reaches the console's bundle.
 * Response types are `Wire<...>`: what arrives after JSON (timestamps as strings).
 */
export * from './common.js';
export * from './session.js';
export * from './organizations.js';
export * from './service-accounts.js';
export * from './refresh-tokens.js';
export * from './audit.js';
export * from './limits.js';
export * from './events.js';
export * from './mfa.js';
