import { ApiError } from './errors.js';

/** Display names of things people create (service accounts, tokens, organizations): 1 to 100 characters. */
export function validName(name: string, what = 'name'): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw new ApiError('invalid_request', `${what} must be 1 to 100 characters`);
  return trimmed;
}
