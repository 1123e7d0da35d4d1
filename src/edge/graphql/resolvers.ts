/**
 * The resolvers: each a thin adapter from GraphQL arguments to one domain
 * operation (src/domain/social), so the same operations serve AppSync's
 * Direct Lambda resolvers at scale.
 */
import { listReports } from '../../domain/moderation/list-reports.ts';
import type { Report } from '../../domain/moderation/model.ts';
import { reportContent, type ReportInput } from '../../domain/moderation/report-content.ts';
import { resolveReport } from '../../domain/moderation/resolve-report.ts';
import { closeAccount } from '../../domain/privacy/close-account.ts';
import { addComment } from '../../domain/social/add-comment.ts';
import { createPost, type NewPost } from '../../domain/social/create-post.ts';
import { deleteComment } from '../../domain/social/delete-comment.ts';
import { deletePost } from '../../domain/social/delete-post.ts';
import { blockUser, unblockUser } from '../../domain/social/block-user.ts';
import { followUser, unfollowUser } from '../../domain/social/follow-user.ts';
import { getNotification } from '../../domain/social/get-notification.ts';
import { getPost } from '../../domain/social/get-post.ts';
import { homeFeed } from '../../domain/social/home-feed.ts';
import { keys } from '../../domain/social/keys.ts';
import { likePost, unlikePost } from '../../domain/social/like-post.ts';
import { listComments } from '../../domain/social/list-comments.ts';
import { getUserByUsername, searchUsers } from '../../domain/social/find-users.ts';
import { listFollows } from '../../domain/social/list-follows.ts';
import { listLikes, listPostsByUser, recentPosts } from '../../domain/social/list-posts.ts';
import { listRelations } from '../../domain/social/list-relations.ts';
import { listNotifications, unreadNotificationCount } from '../../domain/social/list-notifications.ts';
import { markNotificationsRead } from '../../domain/social/mark-notifications-read.ts';
import type { Notification } from '../../domain/social/notification-model.ts';
import { postsByHashtag } from '../../domain/social/posts-by-hashtag.ts';
import { normalizeHashtag } from '../../domain/social/text-tags.ts';
import { muteUser, unmuteUser } from '../../domain/social/mute-user.ts';
import { blockedUsers } from '../../domain/social/relations.ts';
import { toComment, toPost, type Comment, type Post, type Profile } from '../../domain/social/model.ts';
import { updateProfile, type ProfileChanges } from '../../domain/social/update-profile.ts';
import { checkWriteLimit, type WriteKind } from '../../domain/social/write-limits.ts';
import { createUploadUrl, type UploadRequest } from '../../domain/media/create-upload-url.ts';
import { originalUrl, viewMedia, type MediaView } from '../../domain/media/media-view.ts';
import { createStory } from '../../domain/social/create-story.ts';
import { listStories, storiesFeed, type UserStories } from '../../domain/social/list-stories.ts';
import type { Story } from '../../domain/social/model.ts';
import { getDataExport } from '../../domain/privacy/get-data-export.ts';
import { requestDataExport } from '../../domain/privacy/request-data-export.ts';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { holds, optionalViewerId, viewerId, type RequestContext } from './context.ts';
import { blocksTag, type ResolverCache } from './resolver-cache.ts';
import { listen } from './subscriptions.ts';

type Args = Record<string, unknown>;
type Resolver<Source = unknown> = (source: Source, args: Args, context: RequestContext) => unknown;

/** A read that finds nothing answers null, as AppSync's GetItem does. */
async function orNull<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (isPlazaError(error, 'NotFound')) return null;
    throw error;
  }
}

const page = (context: RequestContext, scope: string, args: Args) => ({
  ...(typeof args.limit === 'number' ? { limit: args.limit } : {}),
  ...(args.nextToken ? { cursor: context.services.nextTokens.open(scope, args.nextToken as string) } : {}),
});

const connection = <T>(
  context: RequestContext,
  scope: string,
  result: { items: T[]; cursor: string | undefined },
) => ({
  items: result.items,
  nextToken: context.services.nextTokens.seal(scope, result.cursor),
});

/** One list field: open the nextToken, read the page, seal the next token. */
async function paged<T>(
  context: RequestContext,
  scope: string,
  args: Args,
  read: (options: { limit?: number; cursor?: string }) => Promise<{ items: T[]; cursor: string | undefined }>,
) {
  return connection(context, scope, await read(page(context, scope, args)));
}

function follows(direction: 'followers' | 'following', args: Args, context: RequestContext) {
  return paged(context, `${direction}:${String(args.userId)}`, args, (options) =>
    listFollows(String(args.userId), direction, options, context.services.social),
  );
}

function relations(relation: 'block' | 'mute', args: Args, context: RequestContext) {
  const viewer = viewerId(context);
  return paged(context, `${relation}:${viewer}`, args, (options) =>
    listRelations(viewer, relation, options, context.services.social),
  );
}

const query: Record<string, Resolver> = {
  me: (_, __, context) => context.profiles.user(viewerId(context)),
  getUser: (_, args, context) => context.profiles.user(String(args.id)),
  getPost: (_, args, context) => orNull(getPost(String(args.id), context.services.social)),
  listComments: (_, args, context) =>
    paged(context, `comments:${String(args.postId)}`, args, (options) =>
      listComments(String(args.postId), options, context.services.social, optionalViewerId(context)),
    ),
  listFollowers: (_, args, context) => follows('followers', args, context),
  listFollowing: (_, args, context) => follows('following', args, context),
  getUserByUsername: (_, args, context) =>
    getUserByUsername(String(args.username), context.services.social).then((profile) => profile ?? null),
  searchUsers: (_, args, context) =>
    paged(context, `search:${String(args.prefix).toLowerCase()}`, args, (options) =>
      searchUsers(String(args.prefix), options, context.services.social, optionalViewerId(context)),
    ),
  listPostsByUser: (_, args, context) =>
    paged(context, `posts:${String(args.userId)}`, args, (options) =>
      listPostsByUser(String(args.userId), options, context.services.social, optionalViewerId(context)),
    ),
  listLikes: async (_, args, context) => {
    const result = await paged(context, `likes:${String(args.postId)}`, args, (options) =>
      listLikes(String(args.postId), options, context.services.social),
    );
    return { ...result, items: result.items.map((user) => ({ user })) };
  },
  // Moderators only (the schema's cognito_groups); the queue's pages are sealed per status.
  reports: (_, args, context) =>
    paged(context, `reports:${String(args.status ?? 'OPEN')}`, args, (options) =>
      listReports({ status: args.status as string | null, ...options }, context.services.social),
    ),
  listBlocked: (_, args, context) => relations('block', args, context),
  listMuted: (_, args, context) => relations('mute', args, context),
  notifications: (_, args, context) => {
    const viewer = viewerId(context);
    return paged(context, `notifications:${viewer}`, args, (options) =>
      listNotifications(viewer, options, context.services.social),
    );
  },
  unreadNotificationCount: (_, __, context) =>
    unreadNotificationCount(viewerId(context), context.services.social),
  postsByHashtag: (_, args, context) =>
    // A page's token serves the tag however it is written (#Café, café).
    paged(context, `hashtag:${normalizeHashtag(String(args.tag)) ?? ''}`, args, (options) =>
      postsByHashtag(String(args.tag), options, context.services.social, optionalViewerId(context)),
    ),
  recentPosts: (_, args, context) =>
    paged(context, 'recent', args, (options) => recentPosts(options, context.services.social)),
  listStories: (_, args, context) =>
    listStories(String(args.userId), context.services.social, optionalViewerId(context)),
  storiesFeed: (_, __, context) => storiesFeed(viewerId(context), context.services.social),
  myUpload: async (_, args, context) => {
    const media = await mediaView(String(args.key), context);
    return media?.ownerId === viewerId(context) ? media : null;
  },
  dataExport: (_, args, context) =>
    getDataExport(viewerId(context), String(args.id), context.services.dataExport).then(
      (found) => found ?? null,
    ),
  homeFeed: async (_, args, context) => {
    const viewer = viewerId(context);
    const scope = `feed:${viewer}`;
    const result = await homeFeed(viewer, page(context, scope, args), context.services.social);
    for (const { post, author, viewerHasLiked } of result.items) {
      if (author) context.profiles.prime(author.id, author);
      context.likes.prime(post.id, viewer, viewerHasLiked);
    }
    return connection(context, scope, {
      items: result.items.map((item) => item.post),
      cursor: result.cursor,
    });
  },
};

/** A mutation counted toward the caller's write limit of `kind` before it writes (write-limits.ts). */
const limited =
  (kind: WriteKind, resolve: Resolver): Resolver =>
  async (source, args, context) => {
    await checkWriteLimit(viewerId(context), kind, context.services.writeLimits);
    return resolve(source, args, context);
  };

const mutation: Record<string, Resolver> = {
  updateProfile: (_, args, context) =>
    updateProfile(viewerId(context), args.input as ProfileChanges, context.services.social),
  createUploadUrl: (_, args, context) =>
    createUploadUrl(viewerId(context), args.input as UploadRequest, context.services.media),
  createStory: (_, args, context) =>
    createStory(viewerId(context), args.input as { mediaKey: string }, context.services.social),
  requestDataExport: (_, __, context) =>
    requestDataExport(viewerId(context), context.services.dataExport).then((requested) => ({
      id: requested.id,
      status: requested.status,
      url: null,
      expiresAt: null,
    })),
  // What subscribers hear of a write comes from the change stream (social/live-events.ts), not from here.
  createPost: limited('posts', (_, args, context) =>
    createPost(viewerId(context), args.input as NewPost, context.services.social),
  ),
  deletePost: (_, args, context) =>
    orNull(deletePost(viewerId(context), String(args.id), context.services.social)),
  likePost: limited('likes', async (_, args, context) => {
    const viewer = viewerId(context);
    const post = await likePost(viewer, String(args.postId), context.services.social);
    context.likes.prime(post.id, viewer, true);
    return post;
  }),
  unlikePost: async (_, args, context) => {
    const viewer = viewerId(context);
    const post = await unlikePost(viewer, String(args.postId), context.services.social);
    context.likes.prime(post.id, viewer, false);
    return post;
  },
  addComment: limited('comments', (_, args, context) =>
    addComment(viewerId(context), String(args.postId), String(args.content), context.services.social),
  ),
  deleteComment: (_, args, context) =>
    orNull(
      deleteComment(viewerId(context), String(args.postId), String(args.commentId), context.services.social),
    ),
  deleteMyAccount: (_, __, context) =>
    closeAccount(viewerId(context), {
      store: context.services.social.store,
      directory: context.services.directory,
    }),
  followUser: limited('follows', (_, args, context) =>
    followUser(viewerId(context), String(args.userId), context.services.social),
  ),
  unfollowUser: (_, args, context) =>
    unfollowUser(viewerId(context), String(args.userId), context.services.social),
  reportContent: limited('reports', (_, args, context) =>
    reportContent(viewerId(context), args.input as ReportInput, context.services.social),
  ),
  resolveReport: (_, args, context) =>
    resolveReport(viewerId(context), String(args.id), String(args.action), {
      ...context.services.social,
      directory: context.services.directory,
    }),
  blockUser: (_, args, context) => blockUser(viewerId(context), String(args.userId), context.services.social),
  unblockUser: (_, args, context) =>
    unblockUser(viewerId(context), String(args.userId), context.services.social),
  muteUser: (_, args, context) => muteUser(viewerId(context), String(args.userId), context.services.social),
  unmuteUser: (_, args, context) =>
    unmuteUser(viewerId(context), String(args.userId), context.services.social),
  markNotificationsRead: (_, args, context) =>
    markNotificationsRead(viewerId(context), args.upTo as string | undefined, context.services.social),
  // AppSync lets only the consumer's IAM role in (@aws_iam and its policy); this refuses anyone
  // else whatever the auth mode (the local server lets user-pool tokens reach every field).
  publishNotification: (_, args, context) => {
    if (context.caller.kind !== 'service')
      throw new PlazaError('Unauthorized', 'Only the notifications consumer publishes notifications');
    return getNotification(String(args.recipientId), String(args.id), context.services.social);
  },
};

type Subscribe = { subscribe: Resolver; resolve: (payload: unknown) => unknown };

function onMutation<T>(mutation: string, accept: (payload: T, args: Args) => boolean): Subscribe {
  return {
    subscribe: (_, args, context) =>
      listen<T>(context.services.events, mutation, (payload) => accept(payload, args)),
    resolve: (payload) => payload,
  };
}

const subscription: Record<string, Subscribe> = {
  onCreatePost: onMutation<Post>(
    'createPost',
    (post, args) => args.authorId == null || post.authorId === args.authorId,
  ),
  onAddComment: onMutation<Comment>('addComment', (comment, args) => comment.postId === args.postId),
  onLikePost: onMutation<Post>('likePost', (post, args) => post.id === args.postId),
  // Every notification reaches the group; the hub hands each to its recipient alone (subscription-hub.ts).
  onNotification: onMutation<Notification>('notification', () => true),
};

/** A media key as the API shows it, read through the request's batch loader. */
async function mediaView(key: string, context: RequestContext) {
  const media = await context.media.load(key);
  return media ? viewMedia(media, context.services.mediaUrls) : null;
}

/**
 * The fields whose value depends on who asks (their resolvers read the caller): a live event is
 * resolved per viewer only when a subscription selects one of them (subscription-hub.ts).
 */
export const viewerFields = new Set([
  'User.email',
  'User.viewerFollows',
  'User.viewerBlocks',
  'User.viewerMutes',
  'Post.viewerHasLiked',
  'Media.originalUrl',
]);

/**
 * Whether the viewer has the item `key` names about a user (a follow, a block, a mute); never
 * themselves. From the store's memory when it holds the row (an answer, not a promise).
 */
function viewerHas(
  profile: Profile,
  context: RequestContext,
  key: (viewer: string, userId: string) => { PK: string; SK: string },
): boolean | Promise<boolean> {
  const viewer = optionalViewerId(context);
  if (!viewer || viewer === profile.id) return false;
  return holds(context.items, context.services, key(viewer, profile.id));
}

const user: Record<string, Resolver<Profile>> = {
  avatar: (profile, _, context) => (profile.avatarKey ? mediaView(profile.avatarKey, context) : null),
  // Private to its owner: anyone else reads null.
  email: (profile, _, context) => (optionalViewerId(context) === profile.id ? (profile.email ?? null) : null),
  viewerFollows: (profile, _, context) => viewerHas(profile, context, keys.following),
  viewerBlocks: (profile, _, context) => viewerHas(profile, context, keys.block),
  viewerMutes: (profile, _, context) => viewerHas(profile, context, keys.mute),
};

const post: Record<string, Resolver<Post>> = {
  // The post's alt texts go with its media (the same photo in another post may have its own).
  media: async (source, _, context) =>
    (
      await Promise.all(
        source.mediaKeys.map(async (key) => {
          const view = await mediaView(key, context);
          return view && { ...view, altText: source.altTexts?.[key] ?? null };
        }),
      )
    ).filter(Boolean),
  author: (source, _, context) => context.profiles.user(source.authorId),
  viewerHasLiked: (source, _, context) => {
    const viewer = optionalViewerId(context);
    return viewer ? context.likes.has(source.id, viewer) : false;
  },
};

const media: Record<string, Resolver<MediaView & { altText?: string | null }>> = {
  altText: (source) => source.altText ?? null,
  // The untouched original, camera metadata and all: its owner's alone (ADR 0007).
  originalUrl: (source, _, context) =>
    originalUrl(source, optionalViewerId(context), context.services.mediaUrls),
};

const comment: Record<string, Resolver<Comment>> = {
  author: (source, _, context) => context.profiles.user(source.authorId),
};

const profileOf = (id: string, context: RequestContext) => context.profiles.user(id);

/** A notification's post and comment come through the request's batch loader: a page of 20 is one read. */
const notification: Record<string, Resolver<Notification>> = {
  actor: (source, _, context) => (source.actorIds[0] ? profileOf(source.actorIds[0], context) : null),
  actors: async (source, _, context) =>
    (await Promise.all(source.actorIds.map((id) => profileOf(id, context)))).filter(Boolean),
  post: async (source, _, context) => {
    if (!source.postId) return null;
    const item = await context.items.load(keys.post(source.postId));
    return item ? toPost(item) : null;
  },
  comment: async (source, _, context) => {
    if (!source.postId || !source.commentId) return null;
    const item = await context.items.load(keys.comment(source.postId, source.commentId));
    return item ? toComment(item) : null;
  },
};

/** What a report is about, as it is now: null once deleted (a removal, or its author's deletion). */
const report: Record<string, Resolver<Report>> = {
  user: (source, _, context) => profileOf(source.userId, context),
  reporter: (source, _, context) => profileOf(source.reporterId, context),
  post: async (source, _, context) => {
    if (!source.postId || source.commentId) return null;
    const item = await context.items.load(keys.post(source.postId));
    return item ? toPost(item) : null;
  },
  comment: async (source, _, context) => {
    if (!source.postId || !source.commentId) return null;
    const item = await context.items.load(keys.comment(source.postId, source.commentId));
    return item ? toComment(item) : null;
  },
};

const story: Record<string, Resolver<Story>> = {
  author: (source, _, context) => context.profiles.user(source.authorId),
  media: (source, _, context) => mediaView(source.mediaKey, context),
};

const userStories: Record<string, Resolver<UserStories>> = {
  user: (source, _, context) => context.profiles.user(source.userId),
};

const upload: Record<string, Resolver<{ headers: Record<string, string> }>> = {
  headers: (source) => JSON.stringify(source.headers),
};

export const resolvers = {
  Query: query,
  Mutation: mutation,
  User: user,
  Post: post,
  Media: media,
  Comment: comment,
  Notification: notification,
  Report: report,
  Story: story,
  UserStories: userStories,
  Upload: upload,
};
export const subscriptionResolvers = subscription;

/**
 * The post, or null for a viewer its author blocks. Without waiting when it can: with the cache,
 * whom the author blocks is kept beside their cached posts, and a hit reads nothing.
 */
function unlessBlocked(
  post: Post | null,
  context: RequestContext,
  cache: ResolverCache | undefined,
): Post | null | Promise<Post | null> {
  const viewer = optionalViewerId(context);
  if (!post || !viewer || viewer === post.authorId) return post;
  const author = post.authorId;
  // The tag names the entry too: one string made per request, not two.
  const tag = blocksTag(author);
  const remembered = cache?.remember('Query.getPost', tag, tag, () =>
    blockedUsers(author, context.services.social),
  );
  if (remembered === undefined)
    return context.items.load(keys.block(author, viewer)).then((block) => (block ? null : post));
  return isPromiseLike(remembered)
    ? Promise.resolve(remembered).then((blocked) => (blocked.has(viewer) ? null : post))
    : remembered.has(viewer)
      ? null
      : post;
}

/** Whether a resolver's answer is still to come (graphql-jit takes either). */
export const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * What a viewer may not see of a field's answer, applied after the resolver cache (whose
 * answers are shared by every caller): the post of someone who blocks the viewer is null to them.
 */
export const viewerGuards: Record<
  string,
  (answer: unknown, context: RequestContext, cache: ResolverCache | undefined) => unknown
> = {
  'Query.getPost': (answer, context, cache) =>
    isPromiseLike(answer)
      ? Promise.resolve(answer).then((post) => unlessBlocked(post as Post | null, context, cache))
      : unlessBlocked(answer as Post | null, context, cache),
};
