import { useCallback } from 'react';
import { gql } from '../api/client.ts';
import { postsByHashtagQuery } from '../api/documents.ts';
import type { Connection, Post } from '../api/types.ts';
import { LoadMore } from '../components/LoadMore.tsx';
import { PostCard } from '../components/PostCard.tsx';
import { usePagedList } from '../lib/paged-list.ts';

/** The posts with one #hashtag, newest first. */
export function Hashtag({ tag }: { tag: string }) {
  const fetchPage = useCallback(
    async (nextToken: string | null) =>
      (await gql<{ postsByHashtag: Connection<Post> }>(postsByHashtagQuery, { tag, limit: 10, nextToken }))
        .postsByHashtag,
    [tag],
  );
  const posts = usePagedList(fetchPage, tag);
  return (
    <section>
      <h1>#{tag}</h1>
      {!posts.state.initial && posts.state.items.length === 0 && <p className="muted">No posts yet.</p>}
      {posts.state.items.map((post, index) => (
        <PostCard
          key={post.id}
          post={post}
          eager={index === 0}
          onChange={(change) =>
            posts.dispatch({ type: 'update', id: post.id, change: (p) => ({ ...p, ...change }) })
          }
        />
      ))}
      <LoadMore list={posts} label="More posts" />
    </section>
  );
}
