import type { CreateRefreshToken, RefreshToken, RefreshTokenCreated } from '@gatehouse/contract';
import type { ConsoleApi, Page } from '../api/client';

export type { RefreshToken };

const base = '/console/api/me/refresh-tokens';

/** §8 `/console/api/me/refresh-tokens`: the signed-in person's own tokens [B1]. */
export const refreshTokens = {
  list: (api: ConsoleApi, cursor?: string | null) => api.get<Page<RefreshToken>>(base, { limit: 100, cursor }),
  create: (api: ConsoleApi, body: CreateRefreshToken) => api.post<RefreshTokenCreated>(base, body),
  revoke: (api: ConsoleApi, id: string) => api.delete(`${base}/${encodeURIComponent(id)}`),
};
