/**
 * The social graph the HTTP benchmarks read: 300 authors with 10 posts each,
 * 10 signed-in viewers following 40 authors and liking 50 posts, their feeds
 * fanned out; 20 authors follow each viewer, so each has a page of notifications.
 */
import type { App } from '../src/app/app.ts';
import { createPost } from '../src/domain/social/create-post.ts';
import { createProfile } from '../src/domain/social/create-profile.ts';
import { followUser } from '../src/domain/social/follow-user.ts';
import { likePost } from '../src/domain/social/like-post.ts';
import { initiateAuth } from '../src/domain/identity/initiate-auth.ts';
import { signedInUser } from './users.ts';

export const authors = 300;
export const viewers = 10;
export const followsPerViewer = 40;
/** Authors following each viewer: a full page of notifications(limit: 20). */
export const followersPerViewer = 20;
const postsPerAuthor = 10;
export const viewerEmail = (v: number) => `viewer${v}@example.com`;
export const viewerPassword = 'viewer password';

export interface SeededFeed {
  /** The viewers, with access tokens from the app's own pool. */
  tokens: { sub: string; token: string }[];
  postIds: string[];
}

export async function seedFeed(app: App): Promise<SeededFeed> {
  const identity = app.identity.services!;
  const { social } = app;
  const authorIds = Array.from({ length: authors }, (_, i) => `author-${i}`);
  for (const userId of authorIds) await createProfile({ userId }, social);
  const tokens: { sub: string; token: string }[] = [];
  for (let v = 0; v < viewers; v++) {
    const { sub: UserSub, accessToken } = await signedInUser(viewerEmail(v), viewerPassword, identity);
    tokens.push({ sub: UserSub, token: accessToken });
    for (let f = 0; f < followsPerViewer; f++)
      await followUser(UserSub, authorIds[(v * 7 + f * 13) % authors]!, social);
  }
  const postIds: string[] = [];
  for (let p = 0; p < postsPerAuthor; p++) {
    for (const author of authorIds) {
      postIds.push(
        (
          await createPost(
            author,
            { description: `Post ${p} by ${author}: the light over the harbour.` },
            social,
          )
        ).id,
      );
    }
  }
  for (const [i, { sub }] of tokens.entries()) {
    for (let l = 0; l < 50; l++) await likePost(sub, postIds[(i * 31 + l * 97) % postIds.length]!, social);
    for (let f = 0; f < followersPerViewer; f++)
      await followUser(authorIds[(i * 11 + f * 17) % authors]!, sub, social);
  }
  await app.consumers.drain();
  return { tokens, postIds };
}

/**
 * Fresh tokens for the seeded viewers from the app serving them: a token names its issuer by the
 * server's address, so the process that seeded cannot sign for another that serves.
 */
export async function viewerTokens(app: App, count = viewers): Promise<{ token: string }[]> {
  const identity = app.identity.services!;
  const tokens: { token: string }[] = [];
  for (let v = 0; v < count; v++) {
    const result = await initiateAuth(
      {
        ClientId: identity.pool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: viewerEmail(v), PASSWORD: viewerPassword },
      },
      identity,
    );
    if (!('AuthenticationResult' in result) || !result.AuthenticationResult)
      throw new Error('sign-in did not finish');
    tokens.push({ token: result.AuthenticationResult.AccessToken });
  }
  return tokens;
}

/** The notifications request the GraphQL benchmark sends: a page with each actor. */
export const notificationsRequest = JSON.stringify({
  query:
    '{ notifications(limit: 20) { items { id type read othersCount createdAt actor { id username } } nextToken } }',
});

/** The feed request the benchmarks send: author, counts and the viewer's like for 20 posts. */
export const homeFeedRequest = JSON.stringify({
  query:
    '{ homeFeed(limit: 20) { items { id description likeCount commentCount viewerHasLiked author { id username } } nextToken } }',
});
