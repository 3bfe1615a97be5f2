import crypto from 'node:crypto';
import { CliError } from './errors.js';
import { printJson, type Io } from './io.js';

/** The server's CLI entry (packages/server/src/cli-entry.ts), loaded only for operator commands. */
interface ServerEntry {
  serve(): Promise<void>;
  migrateDatabase(env?: NodeJS.ProcessEnv): Promise<string[]>;
  rotateSigningKey(env?: NodeJS.ProcessEnv): Promise<{ kid: string; signsFrom: string }>;
  checkCatalogue(file: string): { apis: number; scopes: number; routes: number };
  backupDatabase(file: string, env?: NodeJS.ProcessEnv): Promise<{ rows: Record<string, number>; via: string }>;
  restoreDatabase(file: string, env?: NodeJS.ProcessEnv, options?: { masterKeyFile?: string }): Promise<{ rows: Record<string, number> }>;
  resetPasswordLink(email: string, env?: NodeJS.ProcessEnv): Promise<{ url: string; expiresAt: string }>;
  ConfigError: new (...args: never[]) => Error;
  RestoreError: new (...args: never[]) => Error;
  DataDirLockedError: new (...args: never[]) => Error;
}

/**
 * Loaded by name at run time (not a static import) so that the token commands work with the SDK
 * alone and a missing server package is one clear error instead of a crash at start-up.
 */
async function serverEntry(): Promise<ServerEntry> {
  const specifier = '@gatehouse/server/dist/cli-entry.js';
  try {
    return (await import(specifier)) as ServerEntry;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliError('the Gatehouse server is not installed or not built here: run `npm run build` in the repository');
    }
    throw err;
  }
}

/** Server configuration errors are the operator's to fix: one line, not a stack trace. */
function known(entry: ServerEntry, err: unknown): never {
  if (err instanceof entry.ConfigError || err instanceof entry.DataDirLockedError || err instanceof entry.RestoreError) {
    throw new CliError((err as Error).message);
  }
  throw err;
}

/** `gatehouse serve`: runs the server in this process, configured by the environment (§9). */
export async function serve(io: Io, opts: { port?: string }): Promise<void> {
  if (opts.port !== undefined) io.env.PORT = opts.port;
  const entry = await serverEntry();
  await entry.serve().catch((err: unknown) => known(entry, err));
}

/** `gatehouse migrate`: applies pending migrations and exits. */
export async function migrateCommand(io: Io, opts: { json?: boolean }): Promise<void> {
  const entry = await serverEntry();
  const applied = await entry.migrateDatabase(io.env).catch((err: unknown) => known(entry, err));
  if (opts.json) printJson(io, { applied });
  else io.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
}

/** `gatehouse keys rotate`: a new signing key, published now, signing after every instance knows it. */
export async function rotateKeysCommand(io: Io, opts: { json?: boolean }): Promise<void> {
  const entry = await serverEntry();
  const rotated = await entry.rotateSigningKey(io.env).catch((err: unknown) => known(entry, err));
  if (opts.json) printJson(io, rotated);
  else io.stdout.write(`rotated: ${rotated.kid} is published now and signs from ${rotated.signsFrom}\n`);
}

/** `gatehouse catalogue check FILE` [C2]: the server's own validation, offline; exit 1 with the place on a bad file. */
export async function catalogueCheckCommand(io: Io, file: string, opts: { json?: boolean }): Promise<void> {
  const entry = await serverEntry();
  let counts: { apis: number; scopes: number; routes: number };
  try {
    counts = entry.checkCatalogue(file);
  } catch (err) {
    known(entry, err); // a CatalogueError is a ConfigError: its one-line message, exit 1
  }
  if (opts.json) printJson(io, { ok: true, ...counts });
  else io.stdout.write(`ok: ${counts.apis} APIs, ${counts.scopes} scopes, ${counts.routes} routes\n`);
}

const total = (rows: Record<string, number>): number => Object.values(rows).reduce((a, b) => a + b, 0);

/** [R1] `gatehouse backup FILE`: a consistent snapshot, written whole or not at all. */
export async function backupCommand(io: Io, file: string, opts: { json?: boolean }): Promise<void> {
  const entry = await serverEntry();
  const result = await entry.backupDatabase(file, io.env).catch((err: unknown) => known(entry, err));
  if (opts.json) printJson(io, { file, ...result });
  else io.stdout.write(`backed up ${total(result.rows)} rows of ${Object.keys(result.rows).length} tables (from ${result.via}) to ${file}\n`);
}

/** [R1] `gatehouse restore FILE [--master-key-file PATH]`: into an empty target only. */
export async function restoreCommand(io: Io, file: string, opts: { json?: boolean; masterKeyFile?: string }): Promise<void> {
  const entry = await serverEntry();
  const result = await entry
    .restoreDatabase(file, io.env, opts.masterKeyFile ? { masterKeyFile: opts.masterKeyFile } : {})
    .catch((err: unknown) => known(entry, err));
  if (opts.json) printJson(io, { file, ...result });
  else io.stdout.write(`restored ${total(result.rows)} rows of ${Object.keys(result.rows).length} tables from ${file}\n`);
}

/** [P5] `gatehouse users reset-password EMAIL`: prints a single-use reset link (30 minutes) for the operator to hand over. */
export async function resetPasswordCommand(io: Io, email: string, opts: { json?: boolean }): Promise<void> {
  const entry = await serverEntry();
  const link = await entry.resetPasswordLink(email, io.env).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'not_found' || (err as { code?: unknown }).code === 'conflict') throw new CliError((err as Error).message);
    return known(entry, err);
  });
  if (opts.json) printJson(io, link);
  else io.stdout.write(`Reset link for ${email} (single use, valid until ${link.expiresAt}; using it signs them out everywhere):\n${link.url}\n`);
}

/** The prefix of resource-server credentials, so that a leaked one is easy to recognise and scan for. */
export const RESOURCE_SERVER_CREDENTIAL_PREFIX = 'ghrs_';

/**
 * `gatehouse resource-server credential NAME`: makes a credential for a resource server's verifier
 * to read the state feed with. It is generated here, locally (256 random bits), and given to two
 * places: the server's GATEHOUSE_RESOURCE_SERVER_TOKENS (as NAME:CREDENTIAL, comma-separated with
 * any others) and the resource server's own configuration.
 */
export function resourceServerCredential(io: Io, name: string, opts: { json?: boolean }): void {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new CliError('NAME must be 1-64 letters, digits, dots, dashes or underscores', 2);
  const credential = `${RESOURCE_SERVER_CREDENTIAL_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  if (opts.json) {
    printJson(io, { name, credential, serverSetting: `${name}:${credential}` });
    return;
  }
  io.stdout.write(
    `Resource-server credential for "${name}" (shown once; store it now):\n\n  ${credential}\n\n` +
      `On the Gatehouse server, add it to GATEHOUSE_RESOURCE_SERVER_TOKENS (comma-separated):\n\n  ${name}:${credential}\n\n` +
      "and give the credential to the resource server's verifier (createVerifier({ feedCredential })).\n",
  );
}
