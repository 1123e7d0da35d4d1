import { useCallback, useEffect, useState } from 'react';
import { gql } from '../api/client.ts';
import { getUserByUsernameQuery, listPostsByUserQuery } from '../api/documents.ts';
import type { Connection, Post, User } from '../api/types.ts';
import { Avatar, displayName } from '../components/Avatar.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FollowButton } from '../components/FollowButton.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { MediaView } from '../components/MediaView.tsx';
import { SafetyMenu } from '../components/SafetyMenu.tsx';
import { altOf } from '../components/PostCard.tsx';
import { usePagedList } from '../lib/paged-list.ts';
import { usePendingMedia } from '../lib/use-pending-media.ts';
import { Link } from '../router.tsx';
import { useMe, useSession } from '../session.tsx';

export function useUserByName(username: string) {
  const [user, setUser] = useState<User | null>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(
    () =>
      gql<{ getUserByUsername: User | null }>(getUserByUsernameQuery, { username }).then(
        ({ getUserByUsername }) => {
          setUser(getUserByUsername);
          setError(undefined);
        },
        setError,
      ),
    [username],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return { user, setUser, error, load: () => void load() };
}

function ProfilePosts({ user }: { user: User }) {
  const fetchPage = useCallback(
    async (nextToken: string | null) =>
      (
        await gql<{ listPostsByUser: Connection<Post> }>(listPostsByUserQuery, {
          userId: user.id,
          limit: 12,
          nextToken,
        })
      ).listPostsByUser,
    [user.id],
  );
  const posts = usePagedList(fetchPage, user.id);
  usePendingMedia(posts.state.items, (post) =>
    posts.dispatch({ type: 'update', id: post.id, change: () => post }),
  );
  return (
    <section aria-labelledby="posts-heading">
      <h2 id="posts-heading" className="visually-hidden">
        Posts
      </h2>
      {!posts.state.initial && posts.state.items.length === 0 && (
        <p className="muted center">No posts yet.</p>
      )}
      <ul className="grid">
        {posts.state.items.map((post) => {
          const first = post.media?.[0];
          return (
            <li key={post.id}>
              <Link to={`/p/${post.id}`} className="tile" aria-label={altOf(post, 0, 1)}>
                {first ? (
                  <MediaView media={first} alt="" sizes="(max-width: 640px) 33vw, 200px" className="square" />
                ) : (
                  <span className="text-tile">{post.description}</span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
      <LoadMore list={posts} label="Load more posts" />
    </section>
  );
}

export function Profile({ username }: { username: string }) {
  const me = useMe();
  const session = useSession();
  const { user, setUser, error, load } = useUserByName(username);
  if (error !== undefined) return <ErrorNote error={error} onRetry={load} />;
  if (user === undefined)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  if (user === null)
    return (
      <section>
        <h1>No one is called @{username}</h1>
        <p>
          <Link to="/search">Search for people</Link>
        </p>
      </section>
    );
  const mine = user.id === me.id;
  const base = `/u/${encodeURIComponent(user.username ?? username)}`;
  return (
    <section className="profile">
      <header className="profile-header card">
        <Avatar user={user} size={88} />
        <div className="grow">
          <h1>{displayName(user)}</h1>
          {user.username && <p className="muted">@{user.username}</p>}
          {user.bio && <p className="bio">{user.bio}</p>}
          <ul className="stats">
            <li>
              <strong>{user.postCount}</strong> {user.postCount === 1 ? 'post' : 'posts'}
            </li>
            <li>
              <Link to={`${base}/followers`}>
                <strong>{user.followerCount}</strong> {user.followerCount === 1 ? 'follower' : 'followers'}
              </Link>
            </li>
            <li>
              <Link to={`${base}/following`}>
                <strong>{user.followingCount}</strong> following
              </Link>
            </li>
          </ul>
        </div>
        {mine ? (
          <Link to="/settings/profile" className="button secondary">
            Edit profile
          </Link>
        ) : (
          <FollowButton
            user={user}
            onChange={(changed) => {
              setUser(changed);
              // The viewer's own following count changed too.
              void session.refresh();
            }}
          />
        )}
        <SafetyMenu
          person={user}
          target={{ userId: user.id }}
          what={displayName(user)}
          onChange={() => {
            // A block ends the follows both ways: the counts on screen and the viewer's own change.
            load();
            void session.refresh();
          }}
        />
      </header>
      <ProfilePosts user={user} />
    </section>
  );
}
