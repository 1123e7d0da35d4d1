import type { Post } from '../api/types.ts';
import { Link } from '../router.tsx';
import { Avatar, displayName } from './Avatar.tsx';
import { LikeButton } from './LikeButton.tsx';
import { MediaView } from './MediaView.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { RichText } from './RichText.tsx';
import { SafetyMenu } from './SafetyMenu.tsx';

/** The alt text of a post's photos: its description, which is what the author said they show. */
export function altOf(post: Pick<Post, 'description' | 'author'>, index: number, count: number): string {
  const base = post.description.trim() || `Photo by ${displayName(post.author)}`;
  return count > 1 ? `${base} (${index + 1} of ${count})` : base;
}

/**
 * A post in a feed or on its own page. A guest's card (no onChange) only shows the post and its
 * counts, with links to the guest pages under basePath; there is nothing for them to like or report.
 */
export function PostCard({
  post,
  onChange,
  eager,
  linked = true,
  basePath = '',
}: {
  post: Post;
  onChange?(change: Partial<Post>): void;
  /** The first posts on screen load their images at once. */
  eager?: boolean;
  linked?: boolean;
  /** Where the pages of posts and profiles are: '/explore' for a guest. */
  basePath?: string;
}) {
  const media = post.media ?? [];
  const author = post.author;
  const profile = author?.username ? `${basePath}/u/${encodeURIComponent(author.username)}` : undefined;
  const live = onChange ? 'polite' : undefined;
  return (
    <article className="post card" aria-labelledby={`post-${post.id}-author`}>
      <header className="post-header">
        <Avatar user={author} size={40} />
        <div>
          {profile ? (
            <Link to={profile} id={`post-${post.id}-author`} className="author">
              {displayName(author)}
            </Link>
          ) : (
            <span id={`post-${post.id}-author`} className="author">
              {displayName(author)}
            </span>
          )}
          <div className="muted small">
            {linked ? (
              <Link to={`${basePath}/p/${post.id}`}>
                <RelativeTime iso={post.createdAt} />
              </Link>
            ) : (
              <RelativeTime iso={post.createdAt} />
            )}
          </div>
        </div>
        {onChange && (
          <SafetyMenu person={author} target={{ postId: post.id }} what={`post by ${displayName(author)}`} />
        )}
      </header>
      {media.length > 0 && (
        <div className={`gallery ${media.length > 1 ? 'many' : ''}`}>
          {media.map((item, index) => (
            <MediaView
              key={item.key}
              media={item}
              alt={item.altText || altOf(post, index, media.length)}
              sizes="(max-width: 640px) 100vw, 600px"
              eager={eager === true && index === 0}
            />
          ))}
        </div>
      )}
      {post.description && (
        <p className="description">
          <RichText text={post.description} />
        </p>
      )}
      <footer className={onChange ? 'post-actions' : 'post-actions muted'}>
        {onChange && <LikeButton post={post} onChange={onChange} />}
        <span className="count" aria-live={live}>
          {post.likeCount} {post.likeCount === 1 ? 'like' : 'likes'}
        </span>
        {linked && onChange ? (
          <Link to={`${basePath}/p/${post.id}`} className="count">
            {post.commentCount} {post.commentCount === 1 ? 'comment' : 'comments'}
          </Link>
        ) : (
          <span className="count" aria-live={live}>
            {post.commentCount} {post.commentCount === 1 ? 'comment' : 'comments'}
          </span>
        )}
      </footer>
    </article>
  );
}
