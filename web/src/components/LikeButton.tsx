import { useState } from 'react';
import { gql } from '../api/client.ts';
import { likePostMutation, unlikePostMutation } from '../api/documents.ts';
import type { Post } from '../api/types.ts';
import { ErrorNote } from './ErrorNote.tsx';

type Counts = Pick<Post, 'id' | 'likeCount' | 'viewerHasLiked'>;

/** Like or unlike at once on screen; the server's count replaces the guess, and a failure puts it back. */
export function LikeButton({ post, onChange }: { post: Counts; onChange(change: Partial<Post>): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const liked = post.viewerHasLiked === true;

  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    const before = { likeCount: post.likeCount, viewerHasLiked: post.viewerHasLiked };
    onChange({ viewerHasLiked: !liked, likeCount: Math.max(0, post.likeCount + (liked ? -1 : 1)) });
    try {
      const result = liked
        ? (await gql<{ unlikePost: Counts }>(unlikePostMutation, { postId: post.id })).unlikePost
        : (await gql<{ likePost: Counts }>(likePostMutation, { postId: post.id })).likePost;
      onChange({ likeCount: result.likeCount, viewerHasLiked: result.viewerHasLiked });
    } catch (failure) {
      onChange(before);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className={`like ${liked ? 'liked' : ''}`}
        aria-pressed={liked}
        disabled={busy}
        onClick={toggle}
      >
        <span aria-hidden="true">{liked ? '♥' : '♡'}</span> {liked ? 'Liked' : 'Like'}
      </button>
      <ErrorNote error={error} />
    </>
  );
}
