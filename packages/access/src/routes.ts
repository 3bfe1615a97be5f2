import type { Catalogue, CatalogueApi, CatalogueRoute } from './catalogue.js';

/** A request matched against the catalogue: the route, the API it belongs to, the path parameters. */
export interface RouteMatch {
  readonly route: CatalogueRoute;
  readonly api: CatalogueApi;
  /** `{param}` name → the decoded segment. */
  readonly params: Readonly<Record<string, string>>;
}

interface Leaf {
  readonly route: CatalogueRoute;
  readonly api: CatalogueApi;
  /** The template's parameter names, in path order. */
  readonly names: readonly string[];
}

/** One node of a method's segment trie: literal children are tried before the `{param}` child. */
interface Node {
  readonly literals: Map<string, Node>;
  param: Node | null;
  leaf: Leaf | null;
}

const node = (): Node => ({ literals: new Map(), param: null, leaf: null });
const PARAM = /^\{([^{}/]+)\}$/;

/**
 * Splits a template or request path into segments; null for anything that is not an origin-form
 * path (RFC 9112 §3.2.1). The query string and fragment are dropped: routes never look at them.
 */
function segmentsOf(uri: string): string[] | null {
  let end = uri.length;
  const q = uri.indexOf('?');
  if (q !== -1) end = q;
  const h = uri.indexOf('#');
  if (h !== -1 && h < end) end = h;
  if (end === 0 || uri.charCodeAt(0) !== 47 /* / */) return null;
  // "/" alone is the one empty segment; "/a/" is ["a", ""] so a trailing slash stays significant.
  return uri.slice(1, end).split('/');
}

/**
 * One request segment as the matcher compares it, or null when it must never match anything:
 * `.`/`..` (dot-segments, RFC 3986 §5.2.4, raw or encoded) that a proxy or upstream may resolve
 * differently from us, an encoded `/` or `\` (which an upstream may decode into a separator, so a
 * parameter would reach across segments), a raw `\`, a malformed percent-encoding, and an empty
 * segment (`//`) except as the last one (a trailing slash).
 */
function decodeSegment(raw: string, last: boolean): string | null {
  if (raw.length === 0) return last ? '' : null;
  let value = raw;
  if (raw.includes('%')) {
    try {
      value = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (value.includes('/')) return null;
  }
  if (value.includes('\\') || value === '.' || value === '..') return null;
  return value;
}

/**
 * The catalogue's routes compiled once into a segment trie per method, so that a request costs a
 * walk down its own path (literal children first, then `{param}`), never a scan of every route.
 *
 * Matching rules (documented in the README, "Enforcing it"):
 * - methods compare upper-case; HEAD falls back to the GET route when no HEAD route is declared
 *   (RFC 9110 §9.3.2: HEAD is GET without the body);
 * - literal segments compare exactly (case-sensitive) after percent-decoding the request segment,
 *   so `/v1/%6Frders` is `/v1/orders`, the way the upstream will read it;
 * - a trailing slash is significant: `/v1/orders/` does not match `/v1/orders` (deny by default:
 *   an unmatched path is refused, never guessed);
 * - `{param}` matches exactly one non-empty segment; dot-segments, encoded slashes and backslashes
 *   never match, so nothing reaches across segments;
 * - at each segment a literal beats a parameter; when a literal branch dead-ends further down, the
 *   parameter branch is tried; the first route declared wins an exact tie (the catalogue validator
 *   refuses such ambiguous routes at start [C2]).
 */
export class RouteMatcher {
  private readonly methods = new Map<string, Node>();
  readonly size: number;

  constructor(catalogue: Pick<Catalogue, 'apis'>) {
    let size = 0;
    for (const api of catalogue.apis) {
      for (const route of api.routes) {
        const segments = segmentsOf(route.path);
        if (!segments) throw new Error(`route ${route.method} ${route.path} of API ${api.id}: the path must start with /`);
        const method = route.method.toUpperCase();
        let at = this.methods.get(method);
        if (!at) {
          at = node();
          this.methods.set(method, at);
        }
        const names: string[] = [];
        for (const segment of segments) {
          const param = PARAM.exec(segment);
          if (param) {
            names.push(param[1]!);
            at.param ??= node();
            at = at.param;
          } else {
            let next = at.literals.get(segment);
            if (!next) {
              next = node();
              at.literals.set(segment, next);
            }
            at = next;
          }
        }
        at.leaf ??= { route, api, names };
        size++;
      }
    }
    this.size = size;
  }

  /** The route `method uri` falls on, or null (deny by default, [F2]). `uri` is origin-form. */
  match(method: string, uri: string): RouteMatch | null {
    const upper = method.toUpperCase();
    const raw = segmentsOf(uri);
    if (!raw) return null;
    const segments: string[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const s = decodeSegment(raw[i]!, i === raw.length - 1);
      if (s === null) return null;
      segments[i] = s;
    }
    let root = this.methods.get(upper);
    if (!root && upper === 'HEAD') root = this.methods.get('GET');
    if (!root) return null;
    const values: string[] = [];
    const leaf = walk(root, segments, 0, values);
    if (!leaf) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < leaf.names.length; i++) params[leaf.names[i]!] = values[i]!;
    return { route: leaf.route, api: leaf.api, params };
  }
}

/** Depth-first, literal before parameter; `values` collects parameter values on the way down. */
function walk(at: Node, segments: readonly string[], i: number, values: string[]): Leaf | null {
  if (i === segments.length) return at.leaf;
  const segment = segments[i]!;
  const literal = at.literals.get(segment);
  if (literal) {
    const found = walk(literal, segments, i + 1, values);
    if (found) return found;
  }
  if (at.param && segment !== '') {
    values.push(segment);
    const found = walk(at.param, segments, i + 1, values);
    if (found) return found;
    values.pop();
  }
  return null;
}
