import { useEffect, useState } from 'react';
import type { ConsoleApi, Page } from '../api/client';
import type { ScopeInfo } from './grouping';

let cached: Promise<ScopeInfo[]> | null = null;

/** The scope catalogue with descriptions (`GET /console/api/scopes`), fetched once per page load. */
export function useCatalogue(api: ConsoleApi): { catalogue: ScopeInfo[] | null; error: unknown } {
  const [catalogue, setCatalogue] = useState<ScopeInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    cached ??= api.get<Page<ScopeInfo>>('/console/api/scopes').then((p) => p.items);
    cached.then(
      (c) => live && setCatalogue(c),
      (err: unknown) => {
        cached = null;
        if (live) setError(err);
      },
    );
    return () => {
      live = false;
    };
  }, [api]);
  return { catalogue, error };
}
