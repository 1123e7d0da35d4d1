/**
 * What a visitor who has not signed in sees, under /explore: recent posts, a post with its
 * comments, and profiles, read with the identity pool's guest credentials (AppSync's AWS_IAM mode). Liking,
 * commenting, following and posting ask them to sign in.
 */
import { useCallback, useEffect, useState } from 'react';
import { gql } from '../api/client.ts';
import {
  publicPostQuery,
  publicPostsByUserQuery,
  publicRecentPostsQuery,
  publicUserByUsernameQuery,
} from '../api/documents.ts';
import type { Connection, Post, User } from '../api/types.ts';
import { Avatar, displayName } from '../components/Avatar.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { PostCard } from '../components/PostCard.tsx';
import { RichText } from '../components/RichText.tsx';
import { useComments } from '../lib/comments.ts';
import { usePagedList, type PagedList } from '../lib/paged-list.ts';
import { Link, useLocation } from '../router.tsx';

function SignInPrompt({ what }: { what: string }) {
  const { pathname } = useLocation();
  // Signed in, an /explore page's address leads to the same page of the app.
  const next = `?next=${encodeURIComponent(pathname)}`;
  return (
    <p className="card guest-prompt" role="note">
      <Link to={`/signin${next}`}>Sign in</Link> or <Link to="/signup">create an account</Link> {what}.
    </p>
  );
}

function PostList({ list, empty }: { list: PagedList<Post>; empty: string }) {
  return (
    <>
      {!list.state.initial && list.state.items.length === 0 && <p className="muted center">{empty}</p>}
      <ol className="posts" aria-label="Posts">
        {list.state.items.map((post) => (
          <li key={post.id}>
            <PostCard post={post} basePath="/explore" />
          </li>
        ))}
      </ol>
      <LoadMore list={list} />
    </>
  );
}

const recentPage = async (nextToken: string | null) =>
  (await gql<{ recentPosts: Connection<Post> }>(publicRecentPostsQuery, { limit: 10, nextToken }))
    .recentPosts;

/** The public feed: everyone's recent posts. */
export function PublicFeed() {
  const feed = usePagedList(recentPage, 'recent');
  return (
    <section className="feed" aria-busy={feed.state.initial}>
      <h1>Recent posts</h1>
      <SignInPrompt what="to follow people, like, comment and post" />
      <PostList list={feed} empty="Nobody has posted yet." />
    </section>
  );
}

/** One post and its comments. */
export function PublicPost({ id }: { id: string }) {
  const [post, setPost] = useState<Post | null>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    gql<{ getPost: Post | null }>(publicPostQuery, { id }).then(({ getPost }) => setPost(getPost), setError);
  }, [id]);
  const comments = useComments(id);
  if (error) return <ErrorNote error={error} />;
  if (post === undefined) return <p className="muted center">Loading…</p>;
  if (post === null) return <h1>This post is not available</h1>;
  return (
    <section>
      <h1 className="visually-hidden">Post by {displayName(post.author)}</h1>
      <PostCard post={post} basePath="/explore" linked={false} />
      <h2>Comments</h2>
      <ol className="comments" aria-label="Comments">
        {comments.state.items.map((comment) => (
          <li key={comment.id} className="comment">
            <strong>{displayName(comment.author)}</strong> <RichText text={comment.content} />
          </li>
        ))}
      </ol>
      <LoadMore list={comments} />
      <SignInPrompt what="to like and comment" />
    </section>
  );
}

/** A profile and its posts. */
export function PublicProfile({ username }: { username: string }) {
  const [user, setUser] = useState<User | null>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    gql<{ getUserByUsername: User | null }>(publicUserByUsernameQuery, { username }).then(
      ({ getUserByUsername }) => setUser(getUserByUsername),
      setError,
    );
  }, [username]);
  const postsPage = useCallback(
    async (nextToken: string | null) =>
      user
        ? (
            await gql<{ listPostsByUser: Connection<Post> }>(publicPostsByUserQuery, {
              userId: user.id,
              limit: 12,
              nextToken,
            })
          ).listPostsByUser
        : { items: [], nextToken: null },
    [user],
  );
  const posts = usePagedList(postsPage, user?.id ?? '');
  if (error) return <ErrorNote error={error} />;
  if (user === undefined) return <p className="muted center">Loading…</p>;
  if (user === null) return <h1>No one is called @{username}</h1>;
  return (
    <section>
      <header className="profile-header">
        <Avatar user={user} size={80} />
        <div>
          <h1>{displayName(user)}</h1>
          <p className="muted">@{user.username}</p>
          {user.bio && <p>{user.bio}</p>}
          <p className="muted small">
            {user.postCount} posts · {user.followerCount} followers · {user.followingCount} following
          </p>
        </div>
      </header>
      <SignInPrompt what={`to follow ${displayName(user)}`} />
      <PostList list={posts} empty="No posts yet." />
    </section>
  );
}
