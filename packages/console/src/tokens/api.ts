import type { ConsoleApi, Page } from '../api/client';

export interface RefreshToken {
  id: string;
  name: string;
  /** Narrowed to these scopes at creation [B8], or null for whatever the roles allow. */
  scopes: string[] | null;
  /** Narrowed to these organizations [B8], or null for every organization the user is in. */
  orgIds: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
}

const base = '/console/api/me/refresh-tokens';

/** §8 `/console/api/me/refresh-tokens`: the signed-in person's own tokens [B1]. */
export const refreshTokens = {
  list: (api: ConsoleApi, cursor?: string | null) => api.get<Page<RefreshToken>>(base, { limit: 100, cursor }),
  create: (api: ConsoleApi, body: { name: string; scopes?: string[]; orgIds?: string[] }) => api.post<RefreshToken & { refreshToken: string }>(base, body),
  revoke: (api: ConsoleApi, id: string) => api.delete(`${base}/${encodeURIComponent(id)}`),
};
