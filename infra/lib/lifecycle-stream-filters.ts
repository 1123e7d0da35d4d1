/**
 * Which stream records reach the data lifecycle's Lambda (Lambda event filtering), written as
 * the records its two consumers act on, so that nothing else is paid for:
 *
 * - erasure (`cascadeDeletions`): an account closed, a post deleted, a story deleted or expired,
 *   and an unused upload expired by TTL. Its own deletes (likes, comments, media items it
 *   removes itself) are dropped: they would only invoke it again.
 * - data export (`buildDataExports`): an export requested (its INSERT) or gone (its REMOVE, by
 *   TTL or with the account). The builder's own update of the item (MODIFY) is dropped.
 *
 * The two sets pass disjoint records; the function's event source mapping takes their union.
 */
import { mediaKey } from '../../src/domain/media/model.ts';
import { exportSortPrefix } from '../../src/domain/privacy/data-export.ts';
import { keys, sortPrefixes } from '../../src/domain/social/keys.ts';

const profileSortKey = keys.profile('user').SK;
const postSortKey = keys.post('post').SK;
const mediaSortKey = mediaKey('users/user/profile/avatar.jpg').SK;

/** DynamoDB's TTL service, as the stream names it on the records of the deletions it made. */
const ttlDeletion = { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] };

export const erasureFilterPatterns = [
  {
    eventName: ['REMOVE'],
    dynamodb: { Keys: { PK: { S: [{ prefix: 'USER#' }] }, SK: { S: [profileSortKey] } } },
  },
  {
    eventName: ['REMOVE'],
    dynamodb: { Keys: { PK: { S: [{ prefix: 'POST#' }] }, SK: { S: [postSortKey] } } },
  },
  {
    eventName: ['REMOVE'],
    dynamodb: { Keys: { PK: { S: [{ prefix: 'USER#' }] }, SK: { S: [{ prefix: sortPrefixes.story }] } } },
  },
  {
    eventName: ['REMOVE'],
    userIdentity: ttlDeletion,
    dynamodb: { Keys: { PK: { S: [{ prefix: 'MEDIA#' }] }, SK: { S: [mediaSortKey] } } },
  },
];

export const dataExportFilterPatterns = [
  {
    eventName: ['INSERT', 'REMOVE'],
    dynamodb: { Keys: { PK: { S: [{ prefix: 'USER#' }] }, SK: { S: [{ prefix: exportSortPrefix }] } } },
  },
];

/**
 * What the data lifecycle's one event source mapping passes: a record either consumer acts on.
 * Five patterns, Lambda's default quota for one mapping (a sixth needs a quota increase, to 10).
 */
export const dataLifecycleFilterPatterns = [...erasureFilterPatterns, ...dataExportFilterPatterns];
