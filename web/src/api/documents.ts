/** The GraphQL documents the app sends, written against the schema's fixed names (CONTRACT.md). */

const mediaFields = `key contentType status width height url variants { size url width height contentType }
  durationSeconds failureReason videoRenditions { height width url contentType bytes }`;
const userSummary = `id username displayName avatar { ${mediaFields} }`;
const userFields = `${userSummary} bio followerCount followingCount postCount viewerFollows createdAt`;
const postFields = `id description createdAt likeCount commentCount viewerHasLiked author { ${userSummary} } media { ${mediaFields} altText }`;
const commentFields = `id postId content createdAt author { ${userSummary} }`;
const storyFields = `id createdAt expiresAt media { ${mediaFields} }`;

export const meQuery = `query Me { me { ${userFields} } }`;

export const getUserByUsernameQuery = `query GetUserByUsername($username: String!) {
  getUserByUsername(username: $username) { ${userFields} }
}`;

export const searchUsersQuery = `query SearchUsers($prefix: String!, $limit: Int, $nextToken: String) {
  searchUsers(prefix: $prefix, limit: $limit, nextToken: $nextToken) { items { ${userFields} } nextToken }
}`;

export const homeFeedQuery = `query HomeFeed($limit: Int, $nextToken: String) {
  homeFeed(limit: $limit, nextToken: $nextToken) { items { ${postFields} } nextToken }
}`;

export const getPostQuery = `query GetPost($id: ID!) { getPost(id: $id) { ${postFields} } }`;

export const listPostsByUserQuery = `query ListPostsByUser($userId: ID!, $limit: Int, $nextToken: String) {
  listPostsByUser(userId: $userId, limit: $limit, nextToken: $nextToken) { items { ${postFields} } nextToken }
}`;

export const listCommentsQuery = `query ListComments($postId: ID!, $limit: Int, $nextToken: String) {
  listComments(postId: $postId, limit: $limit, nextToken: $nextToken) { items { ${commentFields} } nextToken }
}`;

export const listFollowersQuery = `query ListFollowers($userId: ID!, $limit: Int, $nextToken: String) {
  listFollowers(userId: $userId, limit: $limit, nextToken: $nextToken) { items { ${userFields} } nextToken }
}`;

export const listFollowingQuery = `query ListFollowing($userId: ID!, $limit: Int, $nextToken: String) {
  listFollowing(userId: $userId, limit: $limit, nextToken: $nextToken) { items { ${userFields} } nextToken }
}`;

export const storiesFeedQuery = `query StoriesFeed { storiesFeed { user { ${userSummary} } stories { ${storyFields} } } }`;

export const updateProfileMutation = `mutation UpdateProfile($input: UpdateProfileInput!) {
  updateProfile(input: $input) { ${userFields} }
}`;

export const createUploadUrlMutation = `mutation CreateUploadUrl($input: CreateUploadInput!) {
  createUploadUrl(input: $input) { key url method headers expiresAt }
}`;

export const createPostMutation = `mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { ${postFields} } }`;

export const deletePostMutation = `mutation DeletePost($id: ID!) { deletePost(id: $id) { id } }`;

export const likePostMutation = `mutation LikePost($postId: ID!) { likePost(postId: $postId) { id likeCount viewerHasLiked } }`;

export const unlikePostMutation = `mutation UnlikePost($postId: ID!) { unlikePost(postId: $postId) { id likeCount viewerHasLiked } }`;

export const addCommentMutation = `mutation AddComment($postId: ID!, $content: String!) {
  addComment(postId: $postId, content: $content) { ${commentFields} }
}`;

export const deleteCommentMutation = `mutation DeleteComment($postId: ID!, $commentId: ID!) {
  deleteComment(postId: $postId, commentId: $commentId) { id }
}`;

export const followUserMutation = `mutation FollowUser($userId: ID!) { followUser(userId: $userId) { ${userFields} } }`;

export const unfollowUserMutation = `mutation UnfollowUser($userId: ID!) { unfollowUser(userId: $userId) { ${userFields} } }`;

export const createStoryMutation = `mutation CreateStory($input: CreateStoryInput!) { createStory(input: $input) { ${storyFields} } }`;

/** Every new post; the author's viewerFollows (resolved for each subscriber) says whether it belongs in this viewer's feed. */
export const onCreatePostSubscription = `subscription OnCreatePost {
  onCreatePost { ${postFields} author { id viewerFollows } }
}`;

export const onLikePostSubscription = `subscription OnLikePost($postId: ID!) { onLikePost(postId: $postId) { id likeCount commentCount } }`;

export const onAddCommentSubscription = `subscription OnAddComment($postId: ID!) { onAddComment(postId: $postId) { ${commentFields} } }`;

export const postsByHashtagQuery = `query PostsByHashtag($tag: String!, $limit: Int, $nextToken: String) {
  postsByHashtag(tag: $tag, limit: $limit, nextToken: $nextToken) { items { ${postFields} } nextToken }
}`;

const notificationFields = `id type read othersCount createdAt actor { ${userSummary} } post { id description } comment { id content }`;

export const notificationsQuery = `query Notifications($limit: Int, $nextToken: String) {
  notifications(limit: $limit, nextToken: $nextToken) { items { ${notificationFields} } nextToken }
}`;

export const unreadNotificationCountQuery = `query UnreadNotificationCount { unreadNotificationCount }`;

export const markNotificationsReadMutation = `mutation MarkNotificationsRead($upTo: AWSDateTime) {
  markNotificationsRead(upTo: $upTo)
}`;

/** The signed-in user's own notifications, as they come (the server sends each to its recipient alone). */
export const onNotificationSubscription = `subscription OnNotification { onNotification { id type createdAt } }`;

/** What the viewer has done about a user: the block/mute menus read it when they open. */
const safetyFields = `id username displayName viewerBlocks viewerMutes`;

export const userSafetyQuery = `query UserSafety($id: ID!) { getUser(id: $id) { ${safetyFields} } }`;

export const blockUserMutation = `mutation BlockUser($userId: ID!) { blockUser(userId: $userId) { ${safetyFields} } }`;

export const unblockUserMutation = `mutation UnblockUser($userId: ID!) { unblockUser(userId: $userId) { ${safetyFields} } }`;

export const muteUserMutation = `mutation MuteUser($userId: ID!) { muteUser(userId: $userId) { ${safetyFields} } }`;

export const unmuteUserMutation = `mutation UnmuteUser($userId: ID!) { unmuteUser(userId: $userId) { ${safetyFields} } }`;

export const listBlockedQuery = `query ListBlocked($limit: Int, $nextToken: String) {
  listBlocked(limit: $limit, nextToken: $nextToken) { items { ${userSummary} } nextToken }
}`;

export const listMutedQuery = `query ListMuted($limit: Int, $nextToken: String) {
  listMuted(limit: $limit, nextToken: $nextToken) { items { ${userSummary} } nextToken }
}`;

export const reportContentMutation = `mutation ReportContent($input: ReportInput!) {
  reportContent(input: $input) { id targetType reason status }
}`;

/**
 * What a signed-out visitor reads, with the identity pool's guest credentials (AppSync's AWS_IAM
 * mode): the public fields only, without the viewer's own (viewerHasLiked, viewerFollows).
 */
const publicPostFields = `id description createdAt likeCount commentCount author { ${userSummary} } media { ${mediaFields} altText }`;
const publicUserFields = `${userSummary} bio followerCount followingCount postCount createdAt`;
export const publicRecentPostsQuery = `query RecentPosts($limit: Int, $nextToken: String) {
  recentPosts(limit: $limit, nextToken: $nextToken) { items { ${publicPostFields} } nextToken }
}`;
export const publicPostQuery = `query GetPost($id: ID!) { getPost(id: $id) { ${publicPostFields} } }`;
export const publicUserByUsernameQuery = `query GetUserByUsername($username: String!) {
  getUserByUsername(username: $username) { ${publicUserFields} }
}`;
export const publicPostsByUserQuery = `query ListPostsByUser($userId: ID!, $limit: Int, $nextToken: String) {
  listPostsByUser(userId: $userId, limit: $limit, nextToken: $nextToken) { items { ${publicPostFields} } nextToken }
}`;
