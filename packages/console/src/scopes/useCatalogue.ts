import { useEffect, useState } from 'react';
import type { CatalogueInfo } from '@gatehouse/contract';
import type { ConsoleApi } from '../api/client';
import type { ScopeInfo } from './grouping';

let cached: Promise<CatalogueInfo> | null = null;

/** [C5] The loaded catalogue (`GET /console/api/scopes`): scopes by API and the role table, fetched once per page load. */
export function useCatalogueInfo(api: ConsoleApi): { info: CatalogueInfo | null; error: unknown } {
  const [info, setInfo] = useState<CatalogueInfo | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    cached ??= api.get<CatalogueInfo>('/console/api/scopes');
    cached.then(
      (c) => live && setInfo(c),
      (err: unknown) => {
        cached = null;
        if (live) setError(err);
      },
    );
    return () => {
      live = false;
    };
  }, [api]);
  return { info, error };
}

/** The scope catalogue with descriptions, for the scope picker. */
export function useCatalogue(api: ConsoleApi): { catalogue: ScopeInfo[] | null; error: unknown } {
  const { info, error } = useCatalogueInfo(api);
  return { catalogue: info ? info.items : null, error };
}
