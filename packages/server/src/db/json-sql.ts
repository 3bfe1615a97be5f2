/**
 * SQL that builds response JSON as text inside the database (issue 16 item 6). On the embedded
 * database, turning result rows into JavaScript values (dates, jsonb) and copying them from
 * PGlite's thread costs more than the query: one text per page is parsed and copied once, and the
 * reply sends it as it is. Both drivers run the same SQL.
 *
 * The text is compact JSON, byte for byte what the route's response serializer would write: keys
 * in the schema's order, strings escaped as JSON.stringify does (PostgreSQL's escape_json escapes
 * the same characters, RFC 8259 §7), instants as Date.prototype.toISOString writes them.
 */

/** An ISO 8601 UTC instant with milliseconds (`2026-12-07T01:40:05.123Z`), as `toISOString` writes it. */
export const isoSql = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One member of an object. `sql` is an SQL expression of the row; when it is NULL the member is
 * left out (an optional property that is absent). Kinds:
 * - `json`: a jsonb value, written as PostgreSQL writes it: use only for strings, booleans and
 *   integers, whose text is the same as JSON.stringify's (jsonb puts spaces in objects and arrays,
 *   and keeps a number's trailing zeros);
 * - `text`: a text value, written as a JSON string;
 * - `instant`: a timestamptz, written as an ISO 8601 string (isoSql).
 */
export interface JsonMember {
  key: string;
  sql: string;
  kind: 'json' | 'text' | 'instant';
}

const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function memberSql({ key, sql, kind }: JsonMember): string {
  // Keys are schema names, never input; anything else would need escaping in two languages.
  if (!SAFE_KEY.test(key)) throw new Error(`json-sql: unsupported key ${JSON.stringify(key)}`);
  const value = kind === 'json' ? `(${sql})::text` : kind === 'text' ? `to_json(${sql}::text)::text` : `'"' || ${isoSql(sql)} || '"'`;
  return `'"${key}":' || ${value}`;
}

/** SQL for one JSON object (text) with these members in this order; NULL members are left out. */
export const objectSql = (members: readonly JsonMember[]): string => `'{' || concat_ws(',', ${members.map(memberSql).join(', ')}) || '}'`;

/**
 * The select list that aggregates a keyset page (§8) over rows aliased `r`, fetched `limit + 1`
 * in key order, into `items` (the first `limit` items as one JSON array, text), `last_key` (the
 * key of the last of them) and `more` (whether a row follows it). `limit` is an SQL placeholder.
 */
export const pageSql = (item: string, key: string, limit: string): string =>
  `'[' || coalesce(array_to_string((array_agg(${item} ORDER BY ${key}))[1:${limit}], ','), '') || ']' AS items,
   (array_agg(${key} ORDER BY ${key}))[${limit}] AS last_key,
   count(*) > ${limit} AS more`;

/** A page as pageSql answers it. */
export interface JsonPage {
  /** The items as one JSON array. */
  items: string;
  /** The keyset position of the last item; null when the page is empty. */
  lastKey: string | null;
  more: boolean;
}
