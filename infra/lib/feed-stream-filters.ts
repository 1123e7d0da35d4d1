/**
 * Which stream records reach the feed fan-out Lambda (Lambda event filtering):
 * a post created or deleted, a follow made or undone — the records
 * `fanOutFeed` acts on. Everything else, above all the fan-out's own FEED#
 * writes, is dropped before an invocation is paid for.
 */
import { sortPrefixes } from '../../src/domain/social/keys.ts';

export const feedFanOutFilterPatterns = [
  {
    eventName: ['INSERT', 'REMOVE'],
    dynamodb: { Keys: { PK: { S: [{ prefix: 'POST#' }] }, SK: { S: ['METADATA'] } } },
  },
  {
    eventName: ['INSERT', 'REMOVE'],
    dynamodb: { Keys: { PK: { S: [{ prefix: 'USER#' }] }, SK: { S: [{ prefix: sortPrefixes.following }] } } },
  },
];
