/**
 * Which stream records reach the feed fan-out Lambda (Lambda event filtering):
 * a post created or deleted, a follow made or undone — the records
 * `fanOutFeed` acts on — and, for the notifications that run in the same
 * Lambda (social/notify.ts), a like or comment made or taken back and the
 * followed user's side of a follow; for the audit log that runs there too
 * (ADR 0010), a profile made or removed and any item marked with an `audit`
 * action; and the notifications written or moved up, which it publishes to
 * AppSync for onNotification (social/publish-notifications.ts). Everything
 * else, above all the fan-out's own FEED# writes, is dropped before an
 * invocation is paid for. Lambda allows five filters on an event source.
 */
import { sortPrefixes } from '../../src/domain/social/keys.ts';

export const feedFanOutFilterPatterns = [
  {
    eventName: ['INSERT', 'REMOVE'],
    dynamodb: {
      Keys: {
        PK: { S: [{ prefix: 'POST#' }] },
        SK: { S: ['METADATA', { prefix: sortPrefixes.like }, { prefix: sortPrefixes.comment }] },
      },
    },
  },
  {
    eventName: ['INSERT', 'REMOVE'],
    dynamodb: {
      Keys: {
        PK: { S: [{ prefix: 'USER#' }] },
        SK: { S: [{ prefix: sortPrefixes.following }, { prefix: sortPrefixes.follower }] },
      },
    },
  },
  {
    eventName: ['INSERT', 'REMOVE'],
    dynamodb: { Keys: { PK: { S: [{ prefix: 'USER#' }] }, SK: { S: ['PROFILE'] } } },
  },
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { audit: { M: { action: { S: [{ exists: true }] } } } } },
  },
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: {
      Keys: { PK: { S: [{ prefix: 'USER#' }] }, SK: { S: [{ prefix: sortPrefixes.notification }] } },
    },
  },
];
