import { useEffect, useRef } from 'react';
import { hasMore, type PagedList } from '../lib/paged-list.ts';
import { ErrorNote } from './ErrorNote.tsx';

/**
 * The end of a paged list: the next page loads when this comes near the screen
 * (infinite scroll), and a button does the same for keyboards and screen readers.
 */
export function LoadMore<T extends { id: string }>({
  list,
  label = 'Load more',
}: {
  list: PagedList<T>;
  label?: string;
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  const { state, loadMore } = list;
  const more = hasMore(state);

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !more || state.error !== undefined || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((e) => e.isIntersecting) && loadMore(),
      {
        rootMargin: '600px 0px',
      },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [more, state.error, state.items.length, loadMore]);

  if (state.error !== undefined) return <ErrorNote error={state.error} onRetry={loadMore} />;
  if (!more) return null;
  return (
    <div ref={sentinel} className="load-more">
      {state.loading ? (
        <p className="muted" role="status">
          Loading…
        </p>
      ) : (
        <button type="button" className="secondary" onClick={loadMore}>
          {label}
        </button>
      )}
    </div>
  );
}
