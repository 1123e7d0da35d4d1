import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { gql, subscribe } from '../api/client.ts';
import {
  addCommentMutation,
  deleteCommentMutation,
  deletePostMutation,
  getPostQuery,
  onAddCommentSubscription,
  onLikePostSubscription,
} from '../api/documents.ts';
import type { Comment, Post } from '../api/types.ts';
import { Avatar, displayName } from '../components/Avatar.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { PostCard } from '../components/PostCard.tsx';
import { RelativeTime } from '../components/RelativeTime.tsx';
import { SafetyMenu } from '../components/SafetyMenu.tsx';
import { useComments } from '../lib/comments.ts';
import { usePendingMedia } from '../lib/use-pending-media.ts';
import { Link, navigate } from '../router.tsx';
import { useMe } from '../session.tsx';

/** One post with its likes and comments, both kept up to date live while the page is open. */
export function PostPage({ id }: { id: string }) {
  const me = useMe();
  const [post, setPost] = useState<Post | null>();
  const [error, setError] = useState<unknown>();
  const [live, setLive] = useState(0);
  const counted = useRef(new Set<string>());

  const fetchPost = useCallback(
    () =>
      gql<{ getPost: Post | null }>(getPostQuery, { id }).then(({ getPost }) => {
        setPost(getPost);
        setError(undefined);
      }, setError),
    [id],
  );
  useEffect(() => {
    void fetchPost();
  }, [fetchPost]);

  const comments = useComments(id);
  const commentsDispatch = comments.dispatch;
  useEffect(() => {
    for (const comment of comments.state.items) counted.current.add(comment.id);
  }, [comments.state.items]);

  /** A comment new to this page (the author's own arrives twice: from the mutation and from the subscription). */
  const arrived = useCallback(
    (comment: Comment) => {
      if (counted.current.has(comment.id)) return;
      counted.current.add(comment.id);
      commentsDispatch({ type: 'append', items: [comment] });
      setPost((current) => current && { ...current, commentCount: current.commentCount + 1 });
    },
    [commentsDispatch],
  );

  useEffect(() => {
    const ready = () => setLive((count) => count + 1);
    const stopLikes = subscribe<{ onLikePost: Pick<Post, 'id' | 'likeCount' | 'commentCount'> | null }>(
      onLikePostSubscription,
      { postId: id },
      {
        onData: ({ onLikePost }) =>
          onLikePost && setPost((current) => current && { ...current, likeCount: onLikePost.likeCount }),
        onReady: ready,
      },
    );
    const stopComments = subscribe<{ onAddComment: Comment | null }>(
      onAddCommentSubscription,
      { postId: id },
      { onData: ({ onAddComment }) => onAddComment && arrived(onAddComment), onReady: ready },
    );
    return () => {
      stopLikes();
      stopComments();
    };
  }, [id, arrived]);

  usePendingMedia(post ? [post] : [], setPost);

  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [commentError, setCommentError] = useState<unknown>();
  async function send(event: FormEvent) {
    event.preventDefault();
    setSending(true);
    setCommentError(undefined);
    try {
      const { addComment } = await gql<{ addComment: Comment }>(addCommentMutation, {
        postId: id,
        content: draft.trim(),
      });
      arrived(addComment);
      setDraft('');
    } catch (failure) {
      setCommentError(failure);
    } finally {
      setSending(false);
    }
  }

  async function removeComment(comment: Comment) {
    try {
      await gql(deleteCommentMutation, { postId: id, commentId: comment.id });
      comments.dispatch({ type: 'remove', id: comment.id });
      setPost((current) => current && { ...current, commentCount: Math.max(0, current.commentCount - 1) });
    } catch (failure) {
      setCommentError(failure);
    }
  }

  async function removePost() {
    if (!window.confirm('Delete this post?')) return;
    try {
      await gql(deletePostMutation, { id });
      navigate('/', { replace: true });
    } catch (failure) {
      setError(failure);
    }
  }

  if (error !== undefined) return <ErrorNote error={error} onRetry={() => void fetchPost()} />;
  if (post === undefined)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  if (post === null)
    return (
      <section>
        <h1>Post not found</h1>
        <p>
          It may have been deleted. <Link to="/">Back to your feed</Link>
        </p>
      </section>
    );
  const mine = post.author?.id === me.id;
  return (
    <section className="post-page" data-live={live >= 2 ? 'connected' : 'connecting'}>
      <h1 className="visually-hidden">Post by {displayName(post.author)}</h1>
      <PostCard post={post} eager linked={false} onChange={(change) => setPost({ ...post, ...change })} />
      {mine && (
        <button type="button" className="link danger" onClick={removePost}>
          Delete post
        </button>
      )}
      <section className="comments card" aria-labelledby="comments-heading">
        <h2 id="comments-heading">Comments</h2>
        <ol className="comment-list">
          {comments.state.items.map((comment) => (
            <li key={comment.id} className="comment">
              <Avatar user={comment.author} size={32} />
              <div className="grow">
                <p>
                  {comment.author?.username ? (
                    <Link to={`/u/${encodeURIComponent(comment.author.username)}`} className="author">
                      {displayName(comment.author)}
                    </Link>
                  ) : (
                    <span className="author">{displayName(comment.author)}</span>
                  )}{' '}
                  <span className="muted small">
                    <RelativeTime iso={comment.createdAt} />
                  </span>
                </p>
                <p className="comment-text">{comment.content}</p>
                <SafetyMenu
                  person={comment.author}
                  target={{ postId: id, commentId: comment.id }}
                  what={`comment by ${displayName(comment.author)}`}
                />
                {(mine || comment.author?.id === me.id) && (
                  <button type="button" className="link small danger" onClick={() => removeComment(comment)}>
                    Delete comment
                  </button>
                )}
              </div>
            </li>
          ))}
        </ol>
        {!comments.state.initial && comments.state.items.length === 0 && (
          <p className="muted">No comments yet.</p>
        )}
        <LoadMore list={comments} label="Load more comments" />
        <form onSubmit={send} className="comment-form">
          <label htmlFor="comment" className="visually-hidden">
            Add a comment
          </label>
          <textarea
            id="comment"
            placeholder="Add a comment…"
            required
            maxLength={1000}
            rows={2}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" disabled={sending || !draft.trim()}>
            {sending ? 'Posting…' : 'Comment'}
          </button>
        </form>
        <ErrorNote error={commentError} />
      </section>
    </section>
  );
}
