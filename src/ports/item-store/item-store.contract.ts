/**
 * The ItemStore contract: one suite, run unchanged against every engine
 * (SQLite, and DynamoDB through DynamoDB Local). What passes here behaves the
 * same on one machine and on AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlazaError } from '../../platform/errors.ts';
import type { ManualClock } from '../clock.ts';
import { getAll } from './batch.ts';
import type { Item, ItemStore, StreamRecord, TransactAction } from './item-store.ts';

export interface ContractHarness {
  store: ItemStore;
  clock: ManualClock;
  close(): Promise<void>;
  /**
   * Known differences of an emulator from the service it stands for. DynamoDB
   * Local answers a transaction whose update cannot apply with a top-level
   * ValidationException, where DynamoDB cancels it with a ValidationError reason.
   */
  quirks?: { transactionDataErrorIsTopLevel?: boolean };
}

async function expectError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    expect(isPlazaError(error), `expected a PlazaError, got ${String(error)}`).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    if (message) expect((error as Error).message).toMatch(message);
    return error;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

function partitionOf(record: StreamRecord): string | undefined {
  const pk = record.dynamodb.Keys.PK;
  return pk && 'S' in pk ? pk.S : undefined;
}

let unique = 0;
/** A partition key no other test uses, so tests share one table without seeing each other. */
function partition(label: string): string {
  unique++;
  return `${label}#${Date.now().toString(36)}${unique}`;
}

export function itemStoreContract(engine: string, open: () => Promise<ContractHarness>): void {
  describe(`ItemStore contract: ${engine}`, () => {
    let harness: ContractHarness;
    let store: ItemStore;

    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close();
    });

    describe('get and put', () => {
      it('round-trips nested values', async () => {
        const item: Item = {
          PK: partition('USER'),
          SK: 'PROFILE',
          name: 'Ada',
          count: 3,
          ratio: -1.5,
          active: true,
          nothing: null,
          tags: ['a', 'b', 1, false],
          nested: { deep: { list: [{ x: 1 }], empty: '' } },
        };
        await store.put({ item });
        const { item: read } = await store.get(
          { PK: item.PK as string, SK: 'PROFILE' },
          { consistent: true },
        );
        expect(read).toEqual(item);
      });

      it('returns undefined for a missing item and still meters a read', async () => {
        const result = await store.get({ PK: partition('NONE'), SK: 'X' }, { consistent: true });
        expect(result.item).toBeUndefined();
        expect(result.consumed.readUnits).toBeGreaterThan(0);
      });

      it('meters eventually consistent reads at half the units of strong ones', async () => {
        const key = { PK: partition('CAP'), SK: 'A' };
        await store.put({ item: { ...key, blob: 'x'.repeat(10_000) } });
        const strong = await store.get(key, { consistent: true });
        const eventual = await store.get(key);
        expect(strong.consumed.readUnits).toBe(3);
        expect(eventual.consumed.readUnits).toBe(1.5);
      });

      it('meters writes in 1 KB units', async () => {
        const result = await store.put({ item: { PK: partition('CAP'), SK: 'W', blob: 'y'.repeat(2500) } });
        expect(result.consumed.writeUnits).toBe(3);
      });

      it('replaces the whole item on put and returns the previous one', async () => {
        const key = { PK: partition('USER'), SK: 'PROFILE' };
        await store.put({ item: { ...key, a: 1, b: 2 } });
        const result = await store.put({ item: { ...key, c: 3 } });
        expect(result.previous).toEqual({ ...key, a: 1, b: 2 });
        expect((await store.get(key, { consistent: true })).item).toEqual({ ...key, c: 3 });
      });

      it('honours put conditions and leaves the item untouched when they fail', async () => {
        const key = { PK: partition('USERNAME'), SK: 'USERNAME' };
        await store.put({ item: { ...key, owner: 'u1' }, conditions: [{ op: 'itemNotExists' }] });
        await expectError(
          store.put({ item: { ...key, owner: 'u2' }, conditions: [{ op: 'itemNotExists' }] }),
          'ConditionalCheckFailedException',
        );
        expect((await store.get(key, { consistent: true })).item).toEqual({ ...key, owner: 'u1' });
        await store.put({
          item: { ...key, owner: 'u3' },
          conditions: [{ op: '=', attribute: 'owner', value: 'u1' }],
        });
        await expectError(
          store.put({
            item: { ...key, owner: 'u4' },
            conditions: [{ op: '=', attribute: 'owner', value: 'u1' }],
          }),
          'ConditionalCheckFailedException',
        );
      });
    });

    it('lets exactly one of many concurrent put-if-absent writes win', async () => {
      const key = { PK: partition('USERNAME'), SK: 'USERNAME' };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          store.put({ item: { ...key, owner: `u${i}` }, conditions: [{ op: 'itemNotExists' }] }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          expect(outcome.reason.code).toBe('ConditionalCheckFailedException');
      }
      const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
      expect((await store.get(key, { consistent: true })).item?.owner).toBe(`u${winner}`);
    });

    describe('conditions', () => {
      const cases: [string, Parameters<typeof conditionFor>[0], boolean][] = [
        ['itemExists on a present item', { op: 'itemExists' }, true],
        ['itemNotExists on a present item', { op: 'itemNotExists' }, false],
        ['attributeExists', { op: 'attributeExists', attribute: 'n' }, true],
        ['attributeExists on a missing attribute', { op: 'attributeExists', attribute: 'zzz' }, false],
        ['attributeNotExists on a missing attribute', { op: 'attributeNotExists', attribute: 'zzz' }, true],
        ['= on a number', { op: '=', attribute: 'n', value: 5 }, true],
        ['= on a different type', { op: '=', attribute: 'n', value: '5' }, false],
        ['<> on a number', { op: '<>', attribute: 'n', value: 6 }, true],
        ['<> on a missing attribute', { op: '<>', attribute: 'zzz', value: 6 }, true],
        ['< on numbers', { op: '<', attribute: 'n', value: 6 }, true],
        ['<= on numbers', { op: '<=', attribute: 'n', value: 5 }, true],
        ['> on numbers', { op: '>', attribute: 'n', value: 5 }, false],
        ['>= on strings', { op: '>=', attribute: 's', value: 'abc' }, true],
        ['< across types', { op: '<', attribute: 's', value: 100 }, false],
        ['< on a missing attribute', { op: '<', attribute: 'zzz', value: 100 }, false],
        ['= on a map', { op: '=', attribute: 'm', value: { a: [1, 'x'] } }, true],
      ];
      function conditionFor(
        condition: Exclude<Parameters<ItemStore['put']>[0]['conditions'], undefined>[number],
      ) {
        return condition;
      }
      for (const [name, condition, holds] of cases) {
        it(`${name} ${holds ? 'holds' : 'fails'}`, async () => {
          const key = { PK: partition('COND'), SK: 'X' };
          await store.put({ item: { ...key, n: 5, s: 'abd', m: { a: [1, 'x'] } } });
          const attempt = store.update({
            key,
            set: { touched: true },
            conditions: [conditionFor(condition)],
          });
          if (holds) await attempt;
          else await expectError(attempt, 'ConditionalCheckFailedException');
        });
      }

      it('requires every condition of a list to hold', async () => {
        const key = { PK: partition('COND'), SK: 'X' };
        await store.put({ item: { ...key, n: 1 } });
        await expectError(
          store.delete({
            key,
            conditions: [{ op: 'itemExists' }, { op: '=', attribute: 'n', value: 2 }],
          }),
          'ConditionalCheckFailedException',
        );
        await store.delete({
          key,
          conditions: [{ op: 'itemExists' }, { op: '=', attribute: 'n', value: 1 }],
        });
        expect((await store.get(key, { consistent: true })).item).toBeUndefined();
      });

      it('fails a conditional delete of a missing item', async () => {
        await expectError(
          store.delete({ key: { PK: partition('GONE'), SK: 'X' }, conditions: [{ op: 'itemExists' }] }),
          'ConditionalCheckFailedException',
        );
      });
    });

    describe('update', () => {
      it('creates the item and counts atomically', async () => {
        const key = { PK: partition('POST'), SK: 'METADATA' };
        const first = await store.update({ key, add: { likeCount: 1 } });
        expect(first.previous).toBeUndefined();
        expect(first.item).toEqual({ ...key, likeCount: 1 });
        const second = await store.update({
          key,
          add: { likeCount: 2, commentCount: -1 },
          set: { title: 'hi' },
        });
        expect(second.item).toEqual({ ...key, likeCount: 3, commentCount: -1, title: 'hi' });
        expect(second.previous).toEqual({ ...key, likeCount: 1 });
        const third = await store.update({ key, remove: ['title', 'commentCount'] });
        expect(third.item).toEqual({ ...key, likeCount: 3 });
      });

      it('counts every one of many concurrent increments', async () => {
        const key = { PK: partition('POST'), SK: 'METADATA' };
        await Promise.all(Array.from({ length: 40 }, () => store.update({ key, add: { likeCount: 1 } })));
        expect((await store.get(key, { consistent: true })).item?.likeCount).toBe(40);
      });

      it('refuses to add to a non-number', async () => {
        const key = { PK: partition('POST'), SK: 'METADATA' };
        await store.put({ item: { ...key, likeCount: 'many' } });
        await expectError(store.update({ key, add: { likeCount: 1 } }), 'ValidationException');
      });

      it('refuses to change key attributes or to touch one attribute twice', async () => {
        const key = { PK: partition('POST'), SK: 'METADATA' };
        await expectError(
          store.update({ key, set: { PK: 'other' } }),
          'ValidationException',
          /part of the key/,
        );
        await expectError(
          store.update({ key, set: { a: 1 }, remove: ['a'] }),
          'ValidationException',
          /overlap/,
        );
      });
    });

    describe('query', () => {
      const pk = partition('USER');
      const sks = [
        'COMMENT#01',
        'FOLLOWER#a',
        'FOLLOWER#b',
        'FOLLOWER#c',
        'POST#001',
        'POST#002',
        'POST#003',
        'PROFILE',
      ];

      beforeAll(async () => {
        for (let i = 0; i < sks.length; i += 25) {
          await store.batchWrite(sks.slice(i, i + 25).map((SK) => ({ put: { PK: pk, SK, v: SK.length } })));
        }
      });

      const sortKeysOf = (items: Item[]) => items.map((item) => item.SK);

      it('reads a partition in sort-key order, both ways', async () => {
        expect(sortKeysOf((await store.query({ partition: pk, consistent: true })).items)).toEqual(sks);
        expect(sortKeysOf((await store.query({ partition: pk, descending: true })).items)).toEqual(
          [...sks].reverse(),
        );
      });

      it.each([
        [{ op: 'beginsWith', value: 'FOLLOWER#' }, ['FOLLOWER#a', 'FOLLOWER#b', 'FOLLOWER#c']],
        [{ op: '=', value: 'PROFILE' }, ['PROFILE']],
        [{ op: '<', value: 'FOLLOWER#b' }, ['COMMENT#01', 'FOLLOWER#a']],
        [{ op: '<=', value: 'FOLLOWER#b' }, ['COMMENT#01', 'FOLLOWER#a', 'FOLLOWER#b']],
        [{ op: '>', value: 'POST#002' }, ['POST#003', 'PROFILE']],
        [{ op: '>=', value: 'POST#002' }, ['POST#002', 'POST#003', 'PROFILE']],
        [{ op: 'between', low: 'FOLLOWER#b', high: 'POST#001' }, ['FOLLOWER#b', 'FOLLOWER#c', 'POST#001']],
      ] as const)('applies the sort key condition %j', async (sortKey, expected) => {
        const { items } = await store.query({ partition: pk, sortKey, consistent: true });
        expect(sortKeysOf(items)).toEqual(expected);
      });

      it('pages with a limit and a cursor, every item exactly once', async () => {
        for (const descending of [false, true]) {
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await store.query({
              partition: pk,
              limit: 3,
              descending,
              ...(cursor ? { cursor } : {}),
            });
            expect(page.items.length).toBeLessThanOrEqual(3);
            seen.push(...sortKeysOf(page.items).map(String));
            cursor = page.cursor;
            pages++;
          } while (cursor !== undefined && pages < 10);
          expect(seen).toEqual(descending ? [...sks].reverse() : sks);
        }
      });

      it('returns a cursor when a page stops at the limit', async () => {
        const page = await store.query({
          partition: pk,
          sortKey: { op: 'beginsWith', value: 'POST#' },
          limit: 3,
        });
        expect(page.items).toHaveLength(3);
        expect(page.cursor).toBeDefined();
        const rest = await store.query({
          partition: pk,
          sortKey: { op: 'beginsWith', value: 'POST#' },
          limit: 3,
          cursor: page.cursor as string,
        });
        expect(rest.items).toEqual([]);
        expect(rest.cursor).toBeUndefined();
      });

      it('refuses a cursor it did not make', async () => {
        await expectError(store.query({ partition: pk, cursor: 'not-a-cursor' }), 'ValidationException');
      });

      it('stops a page at 1 MB', async () => {
        const big = partition('BIG');
        const blob = 'z'.repeat(100 * 1024);
        for (let i = 0; i < 12; i++) {
          await store.put({ item: { PK: big, SK: `ITEM#${String(i).padStart(2, '0')}`, blob } });
        }
        const first = await store.query({ partition: big });
        expect(first.items.length).toBeGreaterThanOrEqual(9);
        expect(first.items.length).toBeLessThan(12);
        expect(first.cursor).toBeDefined();
        const second = await store.query({ partition: big, cursor: first.cursor as string });
        expect(first.items.length + second.items.length).toBe(12);
        expect(first.consumed.readUnits).toBeGreaterThan(100);
      });

      it('queries a sparse global secondary index', async () => {
        const day = partition('POST');
        await store.batchWrite([
          {
            put: { PK: partition('POST'), SK: 'METADATA', GSI1PK: day, GSI1SK: '2026-01-01T00:00:02Z', n: 2 },
          },
          {
            put: { PK: partition('POST'), SK: 'METADATA', GSI1PK: day, GSI1SK: '2026-01-01T00:00:01Z', n: 1 },
          },
          {
            put: { PK: partition('POST'), SK: 'METADATA', GSI1PK: day, GSI1SK: '2026-01-01T00:00:03Z', n: 3 },
          },
          { put: { PK: partition('POST'), SK: 'METADATA', n: 4 } },
        ]);
        const newest = await store.query({ index: 'GSI1', partition: day, descending: true, limit: 2 });
        expect(newest.items.map((item) => item.n)).toEqual([3, 2]);
        const rest = await store.query({
          index: 'GSI1',
          partition: day,
          descending: true,
          limit: 2,
          cursor: newest.cursor as string,
        });
        expect(rest.items.map((item) => item.n)).toEqual([1]);
      });

      it('projects only keys on a KEYS_ONLY index', async () => {
        const letter = partition('USERNAME');
        const pkUser = partition('USER');
        await store.put({
          item: { PK: pkUser, SK: 'PROFILE', GSI2PK: letter, GSI2SK: 'ada', bio: 'secret' },
        });
        const { items } = await store.query({
          index: 'GSI2',
          partition: letter,
          sortKey: { op: 'beginsWith', value: 'a' },
        });
        expect(items).toEqual([{ PK: pkUser, SK: 'PROFILE', GSI2PK: letter, GSI2SK: 'ada' }]);
      });

      it('refuses consistent reads on an index', async () => {
        await expectError(
          store.query({ index: 'GSI1', partition: 'X', consistent: true }),
          'ValidationException',
        );
      });
    });

    describe('limits', () => {
      it('refuses an item over 400 KB and accepts one just under', async () => {
        const pk = partition('BIG');
        await expectError(
          store.put({ item: { PK: pk, SK: 'X', blob: 'a'.repeat(400 * 1024) } }),
          'ValidationException',
          /maximum allowed size/,
        );
        await store.put({ item: { PK: pk, SK: 'Y', blob: 'a'.repeat(400 * 1024 - 100) } });
        await expectError(
          store.update({ key: { PK: pk, SK: 'Y' }, set: { more: 'b'.repeat(200) } }),
          'ValidationException',
          /maximum allowed size/,
        );
      });

      it('refuses over-long and empty keys', async () => {
        await expectError(store.put({ item: { PK: 'p'.repeat(2049), SK: 'X' } }), 'ValidationException');
        await expectError(store.put({ item: { PK: 'p', SK: 's'.repeat(1025) } }), 'ValidationException');
        await expectError(store.get({ PK: '', SK: 'X' }), 'ValidationException');
      });

      it('refuses an index key that is not a string', async () => {
        await expectError(
          store.put({ item: { PK: partition('P'), SK: 'X', GSI1PK: 5, GSI1SK: 'a' } }),
          'ValidationException',
        );
      });
    });

    describe('batches', () => {
      it('gets up to 100 keys and refuses more, or duplicates', async () => {
        const pk = partition('BATCH');
        await store.batchWrite(Array.from({ length: 25 }, (_, i) => ({ put: { PK: pk, SK: `I#${i}`, i } })));
        const keys = Array.from({ length: 30 }, (_, i) => ({ PK: pk, SK: `I#${i}` }));
        const result = await store.batchGet(keys, { consistent: true });
        expect(result.unprocessed).toEqual([]);
        expect(result.items.map((item) => item.i).sort((a, b) => Number(a) - Number(b))).toEqual(
          Array.from({ length: 25 }, (_, i) => i),
        );
        await expectError(
          store.batchGet(Array.from({ length: 101 }, (_, i) => ({ PK: pk, SK: `I#${i}` }))),
          'ValidationException',
        );
        await expectError(store.batchGet([keys[0]!, keys[0]!]), 'ValidationException', /duplicates/);
        // getAll passes one chunk on as it is and relies on that refusal to make it unique.
        const got = await getAll(store, [keys[0]!, keys[1]!, keys[0]!], { consistent: true });
        expect(got.map((item) => item.i).sort()).toEqual([0, 1]);
      });

      it('writes up to 25 puts and deletes and refuses more', async () => {
        const pk = partition('BATCH');
        await store.put({ item: { PK: pk, SK: 'OLD' } });
        await store.batchWrite([{ put: { PK: pk, SK: 'NEW' } }, { delete: { PK: pk, SK: 'OLD' } }]);
        expect((await store.query({ partition: pk, consistent: true })).items).toEqual([
          { PK: pk, SK: 'NEW' },
        ]);
        await expectError(
          store.batchWrite(Array.from({ length: 26 }, (_, i) => ({ put: { PK: pk, SK: `${i}` } }))),
          'ValidationException',
        );
      });
    });

    describe('transactions', () => {
      it('applies every action or none, with a reason per action', async () => {
        const post = { PK: partition('POST'), SK: 'METADATA' };
        const like = { PK: post.PK, SK: 'LIKE#USER#u1' };
        await store.put({ item: { ...post, likeCount: 0 } });
        const likeActions: TransactAction[] = [
          { put: { ...like, at: 1 }, conditions: [{ op: 'itemNotExists' }] },
          { update: { key: post, add: { likeCount: 1 } }, conditions: [{ op: 'itemExists' }] },
        ];
        await store.transactWrite(likeActions);
        const error = await expectError(store.transactWrite(likeActions), 'TransactionCanceledException');
        expect(
          (error as { details: { cancellationReasons: { code: string }[] } }).details.cancellationReasons.map(
            (r) => r.code,
          ),
        ).toEqual(['ConditionalCheckFailed', 'None']);
        expect((await store.get(post, { consistent: true })).item?.likeCount).toBe(1);
      });

      it('cancels, with a ValidationError reason, when an update cannot apply', async () => {
        const post = { PK: partition('POST'), SK: 'METADATA' };
        const other = { PK: post.PK, SK: 'OTHER' };
        await store.put({ item: { ...post, likeCount: 'many' } });
        const attempt = store.transactWrite([
          { put: other },
          { update: { key: post, add: { likeCount: 1 } } },
        ]);
        if (harness.quirks?.transactionDataErrorIsTopLevel) {
          await expectError(attempt, 'ValidationException');
        } else {
          const error = await expectError(attempt, 'TransactionCanceledException');
          const reasons = (error as { details: { cancellationReasons: { code: string }[] } }).details
            .cancellationReasons;
          expect(reasons.map((reason) => reason.code)).toEqual(['None', 'ValidationError']);
        }
        expect((await store.get(other, { consistent: true })).item).toBeUndefined();
      });

      it('checks conditions on items it does not write', async () => {
        const user = { PK: partition('USER'), SK: 'PROFILE' };
        const target = { PK: partition('USER'), SK: 'POST#1' };
        await expectError(
          store.transactWrite([{ check: user, conditions: [{ op: 'itemExists' }] }, { put: { ...target } }]),
          'TransactionCanceledException',
        );
        expect((await store.get(target, { consistent: true })).item).toBeUndefined();
        await store.put({ item: user });
        const result = await store.transactWrite([
          { check: user, conditions: [{ op: 'itemExists' }] },
          { put: { ...target } },
          { delete: { PK: partition('NONE'), SK: 'X' } },
        ]);
        expect(result.consumed.writeUnits).toBeGreaterThan(0);
        expect((await store.get(target, { consistent: true })).item).toEqual(target);
      });

      it('refuses the same item twice, no actions, or more than 100', async () => {
        const key = { PK: partition('T'), SK: 'X' };
        await expectError(
          store.transactWrite([{ put: { ...key } }, { delete: key }]),
          'ValidationException',
          /multiple operations on one item/,
        );
        await expectError(store.transactWrite([]), 'ValidationException');
        const pk = partition('T');
        await expectError(
          store.transactWrite(Array.from({ length: 101 }, (_, i) => ({ put: { PK: pk, SK: `${i}` } }))),
          'ValidationException',
        );
      });
    });

    describe('time to live', () => {
      it('never returns an expired item', async () => {
        const pk = partition('USER');
        const nowSeconds = Math.floor(harness.clock.now() / 1000);
        await store.batchWrite([
          { put: { PK: pk, SK: 'STORY#1', ttl: nowSeconds + 60 } },
          { put: { PK: pk, SK: 'STORY#2', ttl: nowSeconds + 3600 } },
          { put: { PK: pk, SK: 'STORY#3' } },
        ]);
        expect((await store.query({ partition: pk, consistent: true })).items).toHaveLength(3);
        harness.clock.advance(61_000);
        expect((await store.get({ PK: pk, SK: 'STORY#1' }, { consistent: true })).item).toBeUndefined();
        expect((await store.query({ partition: pk, consistent: true })).items.map((item) => item.SK)).toEqual(
          ['STORY#2', 'STORY#3'],
        );
        const batch = await store.batchGet([
          { PK: pk, SK: 'STORY#1' },
          { PK: pk, SK: 'STORY#2' },
        ]);
        expect(batch.items.map((item) => item.SK)).toEqual(['STORY#2']);
        // An expired item no longer blocks a put-if-absent.
        await store.put({
          item: { PK: pk, SK: 'STORY#1', fresh: true },
          conditions: [{ op: 'itemNotExists' }],
        });
      });
    });

    describe('change stream', () => {
      it('yields INSERT, MODIFY and REMOVE records in commit order, and resumes from its checkpoint', async () => {
        const key = { PK: partition('STREAM'), SK: 'X' };
        const mine = (records: StreamRecord[]) => records.filter((r) => partitionOf(r) === key.PK);
        const seen: StreamRecord[] = [];
        const consumer = `contract-${key.PK}`;
        let subscription = store.changes.subscribe(consumer, async (records) => {
          seen.push(...mine(records));
        });
        await store.put({ item: { ...key, n: 1 } });
        await store.update({ key, add: { n: 1 } });
        await store.put({ item: { ...key, n: 2 } }); // no change: no record
        await store.delete({ key });
        await subscription.drain();
        expect(seen.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
        const [insert, modify, remove] = seen as [StreamRecord, StreamRecord, StreamRecord];
        expect(insert.dynamodb.Keys).toEqual({ PK: { S: key.PK }, SK: { S: 'X' } });
        expect(insert.dynamodb.NewImage).toEqual({ PK: { S: key.PK }, SK: { S: 'X' }, n: { N: '1' } });
        expect(insert.dynamodb.OldImage).toBeUndefined();
        expect(modify.dynamodb.OldImage?.n).toEqual({ N: '1' });
        expect(modify.dynamodb.NewImage?.n).toEqual({ N: '2' });
        expect(remove.dynamodb.NewImage).toBeUndefined();
        expect(remove.dynamodb.OldImage?.n).toEqual({ N: '2' });
        expect(insert.dynamodb.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
        expect(typeof insert.dynamodb.ApproximateCreationDateTime).toBe('number');
        const sequence = seen.map((r) => BigInt(r.dynamodb.SequenceNumber));
        expect([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(sequence);
        await subscription.stop();

        // Written while no consumer runs; the same consumer picks up only what is new.
        await store.put({ item: { ...key, n: 3 } });
        const resumed: StreamRecord[] = [];
        subscription = store.changes.subscribe(consumer, async (records) => {
          resumed.push(...mine(records));
        });
        await subscription.drain();
        await subscription.stop();
        expect(resumed.map((r) => [r.eventName, r.dynamodb.NewImage?.n])).toEqual([['INSERT', { N: '3' }]]);
      });

      it('hands a batch again when its handler fails (at-least-once)', async () => {
        const key = { PK: partition('STREAM'), SK: 'Y' };
        let attempts = 0;
        const delivered: string[] = [];
        const subscription = store.changes.subscribe(
          `retry-${key.PK}`,
          async (records) => {
            const mineNow = records.filter((r) => partitionOf(r) === key.PK);
            if (mineNow.length > 0 && attempts++ === 0) throw new Error('handler failed once');
            delivered.push(...mineNow.map((r) => r.eventName));
          },
          { onError: () => {} },
        );
        await store.put({ item: key });
        await subscription.drain();
        await subscription.stop();
        expect(attempts).toBe(2);
        expect(delivered).toEqual(['INSERT']);
      });
    });
  });
}
