/**
 * A list read page by page with opaque nextTokens (feeds, comments, followers):
 * the state and its transitions as a reducer, and the hook that drives it. A page
 * that arrives after the list was reset is dropped, and an item seen on an earlier
 * page is not shown twice (a feed shifts while it is read).
 */
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from 'react';
import type { Connection } from '../api/types.ts';

export interface PagedState<T> {
  items: T[];
  /** The token for the next page; null once the last page arrived. */
  nextToken: string | null;
  /** True until the first page arrived. */
  initial: boolean;
  loading: boolean;
  error: unknown;
  /** Bumped by reset: pages requested before it are stale. */
  generation: number;
}

export type PagedAction<T> =
  | { type: 'request' }
  | { type: 'loaded'; generation: number; page: Connection<T> }
  | { type: 'failed'; generation: number; error: unknown }
  | { type: 'reset' }
  | { type: 'prepend'; items: T[] }
  | { type: 'append'; items: T[] }
  | { type: 'update'; id: string; change: (item: T) => T }
  | { type: 'remove'; id: string };

export function initialPagedState<T>(): PagedState<T> {
  return { items: [], nextToken: null, initial: true, loading: false, error: undefined, generation: 0 };
}

export function hasMore<T>(state: PagedState<T>): boolean {
  return state.initial || state.nextToken !== null;
}

function mergeUnique<T extends { id: string }>(first: T[], second: T[]): T[] {
  const seen = new Set(first.map((item) => item.id));
  return [...first, ...second.filter((item) => !seen.has(item.id) && seen.add(item.id))];
}

export function pagedReducer<T extends { id: string }>(
  state: PagedState<T>,
  action: PagedAction<T>,
): PagedState<T> {
  switch (action.type) {
    case 'request':
      return { ...state, loading: true, error: undefined };
    case 'loaded':
      if (action.generation !== state.generation) return state;
      return {
        ...state,
        items: mergeUnique(state.items, action.page.items),
        nextToken: action.page.nextToken ?? null,
        initial: false,
        loading: false,
      };
    case 'failed':
      if (action.generation !== state.generation) return state;
      return { ...state, loading: false, error: action.error };
    case 'reset':
      return { ...initialPagedState<T>(), generation: state.generation + 1 };
    case 'prepend':
      return { ...state, items: mergeUnique(action.items, state.items) };
    case 'append':
      return { ...state, items: mergeUnique(state.items, action.items) };
    case 'update':
      return {
        ...state,
        items: state.items.map((item) => (item.id === action.id ? action.change(item) : item)),
      };
    case 'remove':
      return { ...state, items: state.items.filter((item) => item.id !== action.id) };
  }
}

export interface PagedList<T> {
  state: PagedState<T>;
  /** Asks for the next page unless one is on its way or the list is complete. */
  loadMore(): void;
  /** Starts again from the first page. */
  reload(): void;
  dispatch(action: PagedAction<T>): void;
}

/** Reads pages with `fetchPage`; the first page is asked for at once, and again whenever `key` changes. */
export function usePagedList<T extends { id: string }>(
  fetchPage: (nextToken: string | null) => Promise<Connection<T>>,
  key: string,
): PagedList<T> {
  const [state, dispatch] = useReducer(pagedReducer<T>, undefined, initialPagedState<T>);
  const latest = useRef({ state, fetchPage, inFlight: -1 });
  // Before any other effect (a child's included) can ask for a page, the callbacks see this render's state.
  useLayoutEffect(() => {
    latest.current.state = state;
    latest.current.fetchPage = fetchPage;
  });

  const loadMore = useCallback(() => {
    const { state: current, fetchPage: fetch } = latest.current;
    if (!hasMore(current) || latest.current.inFlight === current.generation) return;
    const generation = current.generation;
    latest.current.inFlight = generation;
    dispatch({ type: 'request' });
    fetch(current.initial ? null : current.nextToken).then(
      (page) => {
        if (latest.current.inFlight === generation) latest.current.inFlight = -1;
        dispatch({ type: 'loaded', generation, page });
      },
      (error: unknown) => {
        if (latest.current.inFlight === generation) latest.current.inFlight = -1;
        dispatch({ type: 'failed', generation, error });
      },
    );
  }, []);

  const reload = useCallback(() => {
    latest.current.inFlight = -1;
    dispatch({ type: 'reset' });
  }, []);

  const loadedKey = useRef(key);
  useEffect(() => {
    if (loadedKey.current === key) return;
    loadedKey.current = key;
    reload();
  }, [key, reload]);

  // After a reset (or the first render) the list asks for its first page.
  useEffect(() => {
    if (state.initial && !state.loading && state.error === undefined) loadMore();
  }, [state.generation, state.initial, state.loading, state.error, loadMore]);

  return { state, loadMore, reload, dispatch };
}
