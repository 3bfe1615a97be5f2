/**
 * The console's URLs. Each carries the organization ID (`/orgs/{orgId}/...`) so that people can
 * read it off the address bar for use in API paths.
 */
export type Section = 'credentials' | 'api-tokens' | 'members' | 'audit-log';

export type Route =
  | { name: 'home' }
  | { name: 'sign-in' }
  /** [P6] The person's own second factors. */
  | { name: 'security' }
  | { name: 'section'; orgId: string; section: Section }
  | { name: 'service-account'; orgId: string; id: string }
  | { name: 'invite'; secret: string }
  | { name: 'reset'; secret: string }
  | { name: 'account'; page: 'password' | 'sessions' }
  | { name: 'not-found'; path: string };

const SECTION_PATHS: Record<Section, string> = {
  credentials: 'developers/api/credentials',
  'api-tokens': 'api-tokens',
  members: 'members',
  'audit-log': 'audit-log',
};

const seg = '([^/]+)';

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/orgs') return { name: 'home' };
  if (path === '/sign-in') return { name: 'sign-in' };
  // [P3] [P5] Links that carry a secret: opened signed in or not.
  const link = /^\/(invite|reset)\/([^/]+)$/.exec(path);
  if (link) return { name: link[1] as 'invite' | 'reset', secret: decode(link[2]!) };
  if (path === '/account/password' || path === '/account/sessions') return { name: 'account', page: path.endsWith('password') ? 'password' : 'sessions' };
  if (path === '/security') return { name: 'security' };
  const account = new RegExp(`^/orgs/${seg}/developers/api/credentials/${seg}$`).exec(path);
  if (account) return { name: 'service-account', orgId: decode(account[1]!), id: decode(account[2]!) };
  const org = new RegExp(`^/orgs/${seg}(?:/(.*))?$`).exec(path);
  if (org) {
    const rest = org[2] ?? '';
    if (rest === '' || rest === 'developers' || rest === 'developers/api') {
      return { name: 'section', orgId: decode(org[1]!), section: 'credentials' };
    }
    const section = (Object.keys(SECTION_PATHS) as Section[]).find((s) => SECTION_PATHS[s] === rest);
    if (section) return { name: 'section', orgId: decode(org[1]!), section };
  }
  return { name: 'not-found', path: pathname };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'home':
      return '/';
    case 'sign-in':
      return '/sign-in';
    case 'security':
      return '/security';
    case 'section':
      return `/orgs/${encodeURIComponent(route.orgId)}/${SECTION_PATHS[route.section]}`;
    case 'service-account':
      return `/orgs/${encodeURIComponent(route.orgId)}/developers/api/credentials/${encodeURIComponent(route.id)}`;
    case 'invite':
    case 'reset':
      return `/${route.name}/${encodeURIComponent(route.secret)}`;
    case 'account':
      return `/account/${route.page}`;
    case 'not-found':
      return route.path;
  }
}

export const sectionPath = (orgId: string, section: Section): string => routePath({ name: 'section', orgId, section });

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
