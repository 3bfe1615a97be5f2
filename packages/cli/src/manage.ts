import type { AuditEvent, Role, ServiceAccount } from '@gatehouse/contract';
import { ManagementClient, ManagementError, TokenRequestError, type Page, type PageOptions } from '@gatehouse/sdk';
import { CliAccess } from './access.js';
import { CliError } from './errors.js';
import { printJson, type Io } from './io.js';

/** What every management command takes: `--url`, `--org` (default GATEHOUSE_ORG, or the only one), `--json`. */
export interface ManageOptions {
  url?: string;
  org?: string;
  json?: boolean;
}

const ROLES: readonly Role[] = ['viewer', 'member', 'admin', 'owner'];

/**
 * [M3] The management commands: the SDK's ManagementClient (/manage/v1, [M1]) with the CLI's
 * credential (GATEHOUSE_REFRESH_TOKEN or `gatehouse login`), its on-disk token cache and its
 * one-line errors. The server decides each call by the person's role and the token's scopes.
 */
export class Manage {
  readonly client: ManagementClient;

  constructor(
    private readonly io: Io,
    private readonly opts: ManageOptions,
  ) {
    const access = new CliAccess(io, opts.url ? { url: opts.url } : {});
    this.client = new ManagementClient({ url: access.url, tokens: access });
  }

  /** `--org`, then GATEHOUSE_ORG, then the person's only organization. */
  async org(): Promise<string> {
    const chosen = this.opts.org ?? this.io.env.GATEHOUSE_ORG;
    if (chosen) return chosen;
    const { items } = await this.run(() => this.client.listOrgs());
    if (items.length === 1) return items[0]!.id;
    if (items.length === 0) throw new CliError('you belong to no organization this token reaches');
    throw new CliError(`you belong to ${items.length} organizations: pass --org or set GATEHOUSE_ORG (${items.map((o) => o.id).join(', ')})`, 2);
  }

  /** A management call, its refusal as one line. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ManagementError) throw new CliError(`${err.code}: ${err.description}`);
      if (err instanceof TokenRequestError || err instanceof CliError) throw err;
      throw new CliError(`cannot reach the server: ${(err as Error).message}`);
    }
  }

  /** Every item of a list, page after page. */
  async all<T>(list: (page: PageOptions) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.client.pages(list)) items.push(...page.items);
    return items;
  }

  /** JSON with `--json`, else the human lines. */
  print(value: unknown, human: () => string): void {
    if (this.opts.json) printJson(this.io, value);
    else this.io.stdout.write(`${human()}\n`);
  }
}

export const validRole = (role: string): Role => {
  if (!(ROLES as readonly string[]).includes(role)) throw new CliError(`unknown role ${role}: use one of ${ROLES.join(', ')}`, 2);
  return role as Role;
};

export const accountLine = (a: ServiceAccount): string => `${a.id}  ${a.status.padEnd(8)}  ${a.name}  [${a.scopes.join(' ')}]`;

export const eventLine = (e: AuditEvent): string =>
  `${e.occurredAt}  ${e.action}  ${e.outcome}  ${e.actor.name ?? e.actor.id ?? e.actor.type}${e.target ? `  ${e.target.id}` : ''}`;

/** `gatehouse orgs list`. */
export async function orgsList(io: Io, opts: ManageOptions): Promise<void> {
  const m = new Manage(io, opts);
  const page = await m.run(() => m.client.listOrgs());
  m.print(page.items, () => page.items.map((o) => `${o.id}  ${o.role}  ${o.name}`).join('\n') || '(no organizations)');
}
