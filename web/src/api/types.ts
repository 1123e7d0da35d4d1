/** The API's types as the app reads them (CONTRACT.md's User, Post, Media, Comment, Story, Upload). */

export type MediaStatus = 'PENDING' | 'READY' | 'FAILED';

export interface MediaVariant {
  size: number;
  url: string;
  width: number | null;
  height: number | null;
  /** image/jpeg, or image/webp beside it at the same size. */
  contentType?: string | null;
}

export interface Media {
  key: string;
  contentType: string;
  status: MediaStatus;
  width: number | null;
  height: number | null;
  url: string | null;
  variants: MediaVariant[] | null;
  /** What a post's author wrote for those who cannot see the photo. */
  altText?: string | null;
  /** A video's length; its renditions (largest first); `variants` are then its poster. */
  durationSeconds?: number | null;
  videoRenditions?: VideoRendition[] | null;
  /** Why the file was refused (FAILED). */
  failureReason?: string | null;
}

export interface VideoRendition {
  height: number;
  width: number;
  url: string;
  contentType: string;
  bytes: number;
}

export interface UserSummary {
  id: string;
  username: string | null;
  displayName: string | null;
  avatar: Media | null;
}

export interface User extends UserSummary {
  bio: string | null;
  followerCount: number;
  followingCount: number;
  postCount: number;
  viewerFollows: boolean | null;
  createdAt: string;
}

export interface Post {
  id: string;
  description: string;
  createdAt: string;
  likeCount: number;
  commentCount: number;
  viewerHasLiked: boolean | null;
  author: UserSummary | null;
  media: Media[] | null;
}

export interface Comment {
  id: string;
  postId: string;
  content: string;
  createdAt: string;
  author: UserSummary | null;
}

export interface Story {
  id: string;
  createdAt: string;
  expiresAt: string;
  media: Media | null;
  author?: UserSummary | null;
}

export interface UserStories {
  user: UserSummary;
  stories: Story[];
}

export interface Connection<T> {
  items: T[];
  nextToken: string | null;
}

export type UploadPurpose = 'POST' | 'AVATAR' | 'STORY';

export interface Upload {
  key: string;
  url: string;
  method: string;
  headers: unknown;
  expiresAt: string;
}

export interface Notification {
  id: string;
  type: 'FOLLOW' | 'LIKE' | 'COMMENT' | 'MENTION';
  read: boolean;
  othersCount: number;
  createdAt: string;
  actor: UserSummary | null;
  post: { id: string; description: string } | null;
  comment: { id: string; content: string } | null;
}

/** A user as the block/mute menus see them. */
export interface UserSafety {
  id: string;
  username: string | null;
  displayName: string | null;
  viewerBlocks: boolean;
  viewerMutes: boolean;
}

export type ReportReason = 'SPAM' | 'HARASSMENT' | 'NUDITY' | 'VIOLENCE' | 'HATE' | 'OTHER';

/** What a report is about: a post, a comment (with its post) or a user. */
export interface ReportTarget {
  postId?: string;
  commentId?: string;
  userId?: string;
}
