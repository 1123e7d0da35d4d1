import { useEffect, useLayoutEffect, useRef } from 'react';
import { gql } from '../api/client.ts';
import { getPostQuery } from '../api/documents.ts';
import type { Post } from '../api/types.ts';

/** True while any of the post's photos is still being processed. */
export const hasPendingMedia = (post: Post) => (post.media ?? []).some((item) => item.status === 'PENDING');

/**
 * Posts shown while their photos are processed are read again every few seconds
 * (for a minute at most) so their thumbnails appear once READY, with no reload.
 */
export function usePendingMedia(posts: Post[], onFresh: (post: Post) => void, intervalMs = 1500): void {
  const pendingIds = posts.filter(hasPendingMedia).map((post) => post.id);
  const key = pendingIds.join(',');
  const onFreshRef = useRef(onFresh);
  useLayoutEffect(() => {
    onFreshRef.current = onFresh;
  });
  useEffect(() => {
    if (!key) return;
    const ids = key.split(',');
    const deadline = Date.now() + 60_000;
    let stopped = false;
    const timer = setInterval(async () => {
      if (Date.now() > deadline) return clearInterval(timer);
      for (const id of ids) {
        try {
          const { getPost } = await gql<{ getPost: Post | null }>(getPostQuery, { id });
          if (!stopped && getPost && !hasPendingMedia(getPost)) onFreshRef.current(getPost);
        } catch {
          // The next round asks again.
        }
      }
    }, intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [key, intervalMs]);
}
