/**
 * The home feed's pages. The first page is asked for together with the viewer's
 * profile when the app opens on the feed, not after it: one round trip less
 * before the feed shows.
 */
import { gql } from '../api/client.ts';
import { homeFeedQuery } from '../api/documents.ts';
import type { Connection, Post } from '../api/types.ts';

export const feedPageSize = 10;

let prefetched: { at: number; page: Promise<Connection<Post>> } | undefined;

const readPage = async (nextToken: string | null) =>
  (await gql<{ homeFeed: Connection<Post> }>(homeFeedQuery, { limit: feedPageSize, nextToken })).homeFeed;

export function prefetchHomeFeed(): void {
  const page = readPage(null);
  // Nobody may take it (the profile shows first); its failure is the real read's to report.
  page.catch(() => {});
  prefetched = { at: Date.now(), page };
}

export function fetchHomeFeedPage(nextToken: string | null): Promise<Connection<Post>> {
  const early = prefetched;
  prefetched = undefined;
  if (nextToken === null && early && Date.now() - early.at < 10_000) return early.page;
  return readPage(nextToken);
}
