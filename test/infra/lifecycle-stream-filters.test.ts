/**
 * The data lifecycle's event filters against its consumers: a sample of the table's stream
 * records, as Lambda delivers them, passes a filter exactly when the consumer behind it would
 * act on the record (it touches the table, the bucket or the CDN), so Lambda neither drops work
 * nor pays for invocations that do nothing. One function runs both consumers on every record it
 * is given: its mapping passes what either acts on, and no record is work for both.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  dataExportFilterPatterns,
  dataLifecycleFilterPatterns,
  erasureFilterPatterns,
} from '../../infra/lib/lifecycle-stream-filters.ts';
import { buildDataExports } from '../../src/domain/privacy/build-data-export.ts';
import { defaultDataExportSettings } from '../../src/domain/privacy/data-export.ts';
import { cascadeDeletions } from '../../src/domain/privacy/cascade-deletions.ts';
import { toStreamRecord } from '../../src/edge/lambda/dynamodb-stream.ts';
import { eventFiltersPass } from '../support/event-filters.ts';

type Item = Record<string, unknown>;
const ulid = '01KDHZ8Q0000000000000000AA';
const ttl = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

let sequence = 100;
/** A stream record as Lambda hands it out (NEW_AND_OLD_IMAGES), for an item with these keys. */
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  item: Item,
  options: { byTtl?: boolean } = {},
): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as never;
  const keys = marshall({ PK: item.PK, SK: item.SK }) as never;
  sequence++;
  return {
    eventID: `e${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-west-1',
    dynamodb: {
      Keys: keys,
      ...(eventName !== 'INSERT' ? { OldImage: image } : {}),
      ...(eventName !== 'REMOVE' ? { NewImage: image } : {}),
      SequenceNumber: String(sequence),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: 1_767_000_000,
    },
    ...(options.byTtl ? { userIdentity: ttl } : {}),
  };
}

const profile = {
  PK: 'USER#u1',
  SK: 'PROFILE',
  id: 'u1',
  username: 'alice',
  createdAt: '2026-01-01T00:00:00Z',
};
const post = {
  PK: `POST#${ulid}`,
  SK: 'METADATA',
  id: ulid,
  authorId: 'u1',
  mediaKeys: [`users/u1/posts/${ulid}/original.jpg`],
  createdAt: '2026-01-01T00:00:00Z',
};
const story = {
  PK: 'USER#u1',
  SK: `STORY#${ulid}`,
  id: ulid,
  authorId: 'u1',
  mediaKey: `stories/u1/${ulid}/image.jpg`,
  ttl: 1_767_000_000,
};
const upload = {
  PK: `MEDIA#users/u1/posts/${ulid}/original.jpg`,
  SK: 'METADATA',
  key: `users/u1/posts/${ulid}/original.jpg`,
};
const exportItem = { PK: 'USER#u1', SK: `EXPORT#${ulid}`, id: ulid, userId: 'u1', status: 'PENDING' };

/** Every kind of change the table's stream carries that the lifecycle must tell apart. */
const samples: Record<string, DynamoDBRecord> = {
  'account closed': record('REMOVE', profile),
  'profile created': record('INSERT', profile),
  'profile edited': record('MODIFY', profile),
  'post deleted': record('REMOVE', post),
  'post created': record('INSERT', post),
  'post liked (its count)': record('MODIFY', post),
  'story deleted': record('REMOVE', story),
  'story expired': record('REMOVE', story, { byTtl: true }),
  'story created': record('INSERT', story),
  'upload expired unused': record('REMOVE', upload, { byTtl: true }),
  'upload erased with its post': record('REMOVE', upload),
  'upload processed': record('MODIFY', upload),
  'like erased': record('REMOVE', { PK: `POST#${ulid}`, SK: 'LIKE#USER#u2', postId: ulid }),
  'comment erased': record('REMOVE', { PK: `POST#${ulid}`, SK: `COMMENT#${ulid}`, postId: ulid }),
  "author's post entry erased": record('REMOVE', { PK: 'USER#u1', SK: `POST#${ulid}` }),
  unfollowed: record('REMOVE', { PK: 'USER#u1', SK: 'FOLLOWING#u2', followeeId: 'u2' }),
  'follower gone': record('REMOVE', { PK: 'USER#u1', SK: 'FOLLOWER#u2', followerId: 'u2' }),
  'feed entry expired': record('REMOVE', { PK: 'FEED#u1', SK: ulid, ttl: 1 }, { byTtl: true }),
  'username freed': record('REMOVE', { PK: 'USERNAME#alice', SK: 'USERNAME', userId: 'u1' }),
  'export requested': record('INSERT', exportItem),
  'export built': record('MODIFY', { ...exportItem, status: 'READY' }),
  'export expired': record('REMOVE', { ...exportItem, status: 'READY' }, { byTtl: true }),
  'export erased with its account': record('REMOVE', exportItem),
  'export requests counted': record('MODIFY', { PK: 'USER#u1', SK: 'EXPORT_REQUESTS', version: 2 }),
};

/** Services that answer every call with nothing, and say whether any was made. */
function recordingServices() {
  const calls: string[] = [];
  const nothing = { items: [], unprocessed: [], previous: undefined, item: undefined };
  const recorder = (name: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) => async () => {
          calls.push(`${name}.${String(method)}`);
          return nothing;
        },
      },
    );
  const quiet = { info: () => {}, error: () => {}, warn: () => {}, debug: () => {} };
  return {
    calls,
    services: {
      store: recorder('store') as never,
      objects: recorder('objects') as never,
      cdn: recorder('cdn') as never,
      clock: { now: () => Date.parse('2026-01-02T00:00:00Z') },
      logger: quiet as never,
      settings: defaultDataExportSettings,
      tmpDir: '/nonexistent',
    },
  };
}

async function actsOn(
  consume: (services: ReturnType<typeof recordingServices>['services']) => Promise<void>,
) {
  const { calls, services } = recordingServices();
  await consume(services);
  return calls.length > 0;
}

describe('the data lifecycle’s stream filters', () => {
  it('pass to erasure exactly the records cascadeDeletions acts on', async () => {
    const passed: string[] = [];
    for (const [name, sample] of Object.entries(samples)) {
      const passes = eventFiltersPass(erasureFilterPatterns, sample);
      const acts = await actsOn((services) => cascadeDeletions([toStreamRecord(sample)], services));
      expect(passes, name).toBe(acts);
      if (passes) passed.push(name);
    }
    expect(passed).toEqual([
      'account closed',
      'post deleted',
      'story deleted',
      'story expired',
      'upload expired unused',
    ]);
  });

  it('pass to the data export exactly the records buildDataExports acts on', async () => {
    const passed: string[] = [];
    for (const [name, sample] of Object.entries(samples)) {
      const passes = eventFiltersPass(dataExportFilterPatterns, sample);
      const acts = await actsOn((services) => buildDataExports([toStreamRecord(sample)], services));
      expect(passes, name).toBe(acts);
      if (passes) passed.push(name);
    }
    expect(passed).toEqual(['export requested', 'export expired', 'export erased with its account']);
  });

  it('pass to the one data lifecycle function the records either consumer acts on, none for both', async () => {
    expect(dataLifecycleFilterPatterns).toEqual([...erasureFilterPatterns, ...dataExportFilterPatterns]);
    // Lambda's default quota of filters for one event source mapping.
    expect(dataLifecycleFilterPatterns.length).toBeLessThanOrEqual(5);
    const passed: string[] = [];
    for (const [name, sample] of Object.entries(samples)) {
      const passes = eventFiltersPass(dataLifecycleFilterPatterns, sample);
      const erases = await actsOn((services) => cascadeDeletions([toStreamRecord(sample)], services));
      const exports = await actsOn((services) => buildDataExports([toStreamRecord(sample)], services));
      expect(passes, name).toBe(erases || exports);
      expect(erases && exports, name).toBe(false);
      if (passes) passed.push(name);
    }
    expect(passed).toEqual([
      'account closed',
      'post deleted',
      'story deleted',
      'story expired',
      'upload expired unused',
      'export requested',
      'export expired',
      'export erased with its account',
    ]);
  });
});
