import { useEffect, useState } from 'react';
import { gql, subscribe } from '../api/client.ts';
import { getPostQuery, onCreatePostSubscription } from '../api/documents.ts';
import type { Post } from '../api/types.ts';
import { LoadMore } from '../components/LoadMore.tsx';
import { PostCard } from '../components/PostCard.tsx';
import { StoriesBar } from '../components/StoriesBar.tsx';
import { fetchHomeFeedPage } from '../lib/home-feed.ts';
import { usePagedList } from '../lib/paged-list.ts';
import { usePendingMedia } from '../lib/use-pending-media.ts';
import { Link } from '../router.tsx';
import { useMe } from '../session.tsx';

/** The home feed: stories, then posts from the people followed, page after page, with new posts announced live. */
export function Home() {
  const me = useMe();
  const feed = usePagedList(fetchHomeFeedPage, 'home');
  const [incoming, setIncoming] = useState<Post[]>([]);
  const [live, setLive] = useState(false);

  useEffect(
    () =>
      subscribe<{ onCreatePost: (Post & { author: { viewerFollows: boolean | null } | null }) | null }>(
        onCreatePostSubscription,
        {},
        {
          onData: ({ onCreatePost: post }) => {
            if (!post?.author) return;
            if (post.author.id !== me.id && post.author.viewerFollows !== true) return;
            setIncoming((current) => (current.some((p) => p.id === post.id) ? current : [post, ...current]));
          },
          onReady: () => setLive(true),
          onError: () => setLive(false),
        },
      ),
    [me.id],
  );

  const showIncoming = async () => {
    // Read each new post again: its photos may have finished processing since it was announced.
    const fresh = await Promise.all(
      incoming.map(
        async (post) => (await gql<{ getPost: Post | null }>(getPostQuery, { id: post.id })).getPost ?? post,
      ),
    );
    feed.dispatch({ type: 'prepend', items: fresh });
    setIncoming([]);
    window.scrollTo({ top: 0, behavior: 'smooth' });
  };

  const update = (id: string, change: Partial<Post>) =>
    feed.dispatch({ type: 'update', id, change: (post) => ({ ...post, ...change }) });
  usePendingMedia(feed.state.items, (post) => update(post.id, post));

  const unseen = incoming.filter((post) => !feed.state.items.some((p) => p.id === post.id));
  return (
    <section className="feed" aria-busy={feed.state.initial} data-live={live ? 'connected' : 'connecting'}>
      <h1 className="visually-hidden">Home</h1>
      <StoriesBar />
      <div role="status" className="banner-slot">
        {unseen.length > 0 && (
          <button type="button" className="banner" onClick={showIncoming}>
            {unseen.length === 1 ? '1 new post' : `${unseen.length} new posts`} · Show
          </button>
        )}
      </div>
      {!feed.state.initial && feed.state.items.length === 0 && (
        <div className="card empty">
          <h2>Your feed is empty</h2>
          <p>
            Posts from people you follow show up here. <Link to="/search">Find people to follow</Link> or{' '}
            <Link to="/new">share your first post</Link>.
          </p>
        </div>
      )}
      <ol className="posts" aria-label="Posts">
        {feed.state.items.map((post, index) => (
          <li key={post.id}>
            <PostCard post={post} eager={index < 2} onChange={(change) => update(post.id, change)} />
          </li>
        ))}
      </ol>
      <LoadMore list={feed} label="Load older posts" />
    </section>
  );
}
