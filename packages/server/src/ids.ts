import { monotonicFactory } from 'ulid';

// Monotonic so that ids minted in the same millisecond still sort in creation order; cursor
// pagination and the audit log's order rely on it.
const ulid = monotonicFactory();

export type IdPrefix = 'org' | 'usr' | 'svc' | 'sec' | 'rt' | 'evt' | 'key' | string;

export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid()}`;

const ID_RE = /^[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}$/;
export const isId = (value: string, prefix: IdPrefix): boolean =>
  value.startsWith(`${prefix}_`) && ID_RE.test(value);
