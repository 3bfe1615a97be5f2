import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { api, token } from './api.js';
import { CliError } from './errors.js';
import { processIo, type Io } from './io.js';
import { auditStreams } from './audit-streams-command.js';
import { auditTail, members, serviceAccounts } from './manage-commands.js';
import { orgsList } from './manage.js';
import {
  backupCommand,
  catalogueCheckCommand,
  migrateCommand,
  resetPasswordCommand,
  resourceServerCredential,
  restoreCommand,
  rotateKeysCommand,
  serve,
} from './operator.js';
import { login, logout } from './session.js';

// The version is the package's own, read once (not restated here).
const { version: VERSION } = createRequire(import.meta.url)('../package.json') as { version: string };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function program(io: Io): Command {
  const root = new Command('gatehouse')
    .description('Gatehouse from the command line: sign in, get access tokens, call the API, run the server.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // One line, in the same form as every other error.
      outputError: (s, write) => write(`gatehouse: ${s.replace(/^error: /, '').trimEnd()}\n`),
    })
    .addHelpText(
      'after',
      `
Environment:
  GATEHOUSE_URL            the server (instead of --url or the URL stored by login)
  GATEHOUSE_REFRESH_TOKEN  a refresh token to use instead of the stored one
  GATEHOUSE_CLIENT_SECRET  the service account's secret, with --client-id
  GATEHOUSE_ORG            the organization for management commands (instead of --org)
  XDG_CONFIG_HOME          credentials live in $XDG_CONFIG_HOME/gatehouse (default ~/.config/gatehouse)

Exit codes: 0 success, 1 error, 2 usage error.`,
    );

  const url = () => new Option('--url <url>', 'Gatehouse base URL (default: GATEHOUSE_URL, else the one stored by login)');
  const json = () => new Option('--json', 'print the result as JSON');

  root
    .command('login')
    .description('sign in with email and password; create a refresh token named after this machine and store it (mode 0600)')
    .addOption(url())
    .option('--email <email>', 'the account to sign in as (asked for when omitted)')
    .option('--password-stdin', 'read the password from standard input instead of a prompt')
    .option('--name <name>', 'the refresh token\'s name (default: "gatehouse CLI on <hostname>")')
    .option('--scope <scope>', 'narrow the refresh token to this scope (repeatable) [B8]', collect)
    .option('--org <orgId>', 'narrow the refresh token to this organization (repeatable) [B8]', collect)
    .addOption(json())
    .action((opts) => login(io, opts));

  root
    .command('token')
    .description('print an access token (cached until a minute before it expires)')
    .addOption(url())
    .option('--client-id <id>', 'a service account (svc_...): its secret comes from GATEHOUSE_CLIENT_SECRET')
    .option('--scope <scopes>', "ask for a subset of the credential's scopes (space-separated)")
    .addOption(json())
    .action((opts) => token(io, opts));

  root
    .command('api')
    .description('call the API with a bearer token and print the JSON answer')
    .argument('<method>', 'GET, POST, PUT, PATCH, DELETE or HEAD')
    .argument('<path>', 'e.g. /api/v1/governance/findings or /sbom/v1/orgs/<orgId>/buckets')
    .option('--data <json>', 'request body: JSON text, @file, or - for standard input')
    .addOption(url())
    .option('--client-id <id>', 'call as a service account (secret from GATEHOUSE_CLIENT_SECRET)')
    .option('--scope <scopes>', "ask for a subset of the credential's scopes (space-separated)")
    .addOption(new Option('--json', 'print the answer as compact JSON on one line'))
    .action((method: string, path: string, opts) => api(io, method, path, opts));

  root
    .command('logout')
    .description('revoke the stored refresh token and forget it and every cached access token')
    .option('--force', 'forget the credentials even if the server cannot be reached to revoke them')
    .addOption(json())
    .action((opts) => logout(io, opts));

  // [M3] Management commands: /manage/v1 as the signed-in person (or GATEHOUSE_REFRESH_TOKEN).
  const org = () => new Option('--org <orgId>', 'the organization (default: GATEHOUSE_ORG, else your only one)');
  const orgs = root.command('orgs').description('your organizations');
  orgs
    .command('list')
    .description('list the organizations you belong to')
    .addOption(url())
    .addOption(json())
    .action((opts) => orgsList(io, opts));

  root
    .command('service-accounts')
    .description('manage service accounts: list | create | get ID | update ID | rotate ID | disable ID | enable ID | delete ID')
    .argument('<action>', 'list, create, get, update, rotate, disable, enable or delete')
    .argument('[id]', 'the service account (svc_...)')
    .option('--name <name>', 'its name (create, update)')
    .option('--scope <scope>', 'a scope it holds (create, update; repeatable)', collect)
    .option('--expires-at <time>', "ISO 8601 expiry (create, update; 'never' to clear)")
    .option('--grace-seconds <n>', 'rotate: how long the previous secret keeps working (default 60; 0 for a leaked secret)')
    .addOption(org())
    .addOption(url())
    .addOption(json())
    .action((action: string, id: string | undefined, opts) => serviceAccounts(io, action, id, opts));

  root
    .command('members')
    .description('manage members: list | invite EMAIL --role ROLE | set-role USER_ID ROLE | remove USER_ID')
    .argument('<action>', 'list, invite, set-role or remove')
    .argument('[args...]', 'the email, user id or role the action needs')
    .option('--role <role>', 'invite: viewer, member, admin or owner (default member)')
    .addOption(org())
    .addOption(url())
    .addOption(json())
    .action((action: string, args: string[], opts) => members(io, action, args, opts));

  root
    .command('audit-streams')
    .description("stream the organization's audit log (owners): list | create URL | get ID | pause ID | resume ID | test ID | deliveries ID | delete ID")
    .argument('<action>', 'list, create, get, pause, resume, test, deliveries or delete')
    .argument('[arg]', 'create: the endpoint URL; otherwise the stream (ast_...)')
    .option('--description <text>', 'create: what the endpoint is')
    .addOption(org())
    .addOption(url())
    .addOption(json())
    .action((action: string, arg: string | undefined, opts) => auditStreams(io, action, arg, opts));

  const audit = root.command('audit').description("the organization's audit log");
  audit
    .command('tail')
    .description('print audit events oldest first: the newest page, or everything since --since, filtered by --action/--actor; --follow keeps polling')
    .option('--since <time>', 'ISO 8601: every event from then on')
    .option('--action <prefix>', 'only actions starting so (token finds token.grant and token.deny)')
    .option('--actor <id>', "only one actor's events (a user or service account id)")
    .option('--follow', 'keep printing new events until interrupted')
    .option('--interval <seconds>', '--follow: seconds between polls (default 5)')
    .option('--limit <n>', 'events per page (default 50, at most 100)')
    .addOption(org())
    .addOption(url())
    .addOption(new Option('--json', 'one JSON object per line'))
    .action((opts) => auditTail(io, opts));

  root
    .command('serve')
    .description('operator: run the Gatehouse server here (configured by the environment, as `npm start`)')
    .option('--port <port>', 'listen on this port (default: PORT, else 8080)')
    .action((opts) => serve(io, opts));

  root
    .command('migrate')
    .description('operator: apply pending database migrations and exit (safe while instances run)')
    .addOption(json())
    .action((opts) => migrateCommand(io, opts));

  root
    .command('backup')
    .description(
      'operator: write a consistent backup (gzip JSON lines) while the server keeps serving; embedded mode goes through the running server with GATEHOUSE_BACKUP_TOKEN',
    )
    .argument('<file>', 'where to write the backup')
    .addOption(json())
    .action((file, opts) => backupCommand(io, file, opts));

  root
    .command('restore')
    .description('operator: load a backup into an empty data directory or an empty PostgreSQL database (DATABASE_URL), with the same master key')
    .argument('<file>', 'the backup file')
    .option('--master-key-file <path>', "the backed-up data directory's master.key (else GATEHOUSE_MASTER_KEY)")
    .addOption(json())
    .action((file, opts) => restoreCommand(io, file, opts));

  const keys = root.command('keys').description('operator: the signing keys');
  keys
    .command('rotate')
    .description('add a signing key: in the JWKS at once, signing 120 s later; the old key stays published until its tokens expire')
    .addOption(json())
    .action((opts) => rotateKeysCommand(io, opts));

  const catalogue = root.command('catalogue').description('operator: the catalogue of your APIs (GATEHOUSE_CATALOGUE)');
  catalogue
    .command('check')
    .description('validate a catalogue file (YAML or JSON) offline, as the server does at start')
    .argument('<file>', 'the catalogue file, e.g. catalogue.yaml')
    .addOption(json())
    .action((file: string, opts) => catalogueCheckCommand(io, file, opts));

  const users = root.command('users').description('operator: people');
  users
    .command('reset-password')
    .argument('<email>', "the account's email")
    .description('print a single-use password-reset link (valid 30 minutes) for someone who cannot receive mail')
    .addOption(json())
    .action((email: string, opts) => resetPasswordCommand(io, email, opts));

  const rs = root.command('resource-server').description("operator: credentials for resource servers' verifiers");
  rs.command('credential')
    .description('generate a credential for a resource server to read the state feed with')
    .argument('<name>', "the resource server's name, e.g. orders-api")
    .addOption(json())
    .action((name: string, opts) => resourceServerCredential(io, name, opts));

  return root;
}

/** Runs one command line; resolves to the exit code. Errors are one line on stderr. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors (already printed) exit 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      io.stderr.write(`gatehouse: ${err.message}\n`);
      return err.exitCode;
    }
    const message = (err as Error)?.message ?? String(err);
    io.stderr.write(`gatehouse: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
