import { useCallback, useEffect, useRef, useState } from 'react';

export type Load<T> =
  | { status: 'loading'; reload(): void }
  | { status: 'error'; error: unknown; reload(): void }
  | { status: 'ready'; data: T; reload(): void; refreshing: boolean };

/** Loads `fn` when `deps` change; `reload()` fetches again keeping the old data on screen. */
export function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[]): Load<T> {
  const [state, setState] = useState<{ status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T; refreshing: boolean }>({
    status: 'loading',
  });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const lastTick = useRef(tick);
  useEffect(() => {
    let live = true;
    // A reload keeps the data on screen; a change of what is loaded (another organization) does not.
    const isReload = lastTick.current !== tick;
    lastTick.current = tick;
    setState((s) => (s.status === 'ready' && isReload ? { ...s, refreshing: true } : { status: 'loading' }));
    fnRef.current().then(
      (data) => live && setState({ status: 'ready', data, refreshing: false }),
      (error: unknown) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload } as Load<T>;
}
