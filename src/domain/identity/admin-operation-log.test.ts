import { afterEach, describe, expect, it } from 'vitest';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import type { StreamRecord } from '../../ports/item-store/item-store.ts';
import { recordKey } from '../../ports/item-store/stream-images.ts';
import { auditFactsOf } from '../audit/audit-facts.ts';
import {
  adminOperationSubject,
  isRecordedAdminOperation,
  recordAdminOperation,
} from './admin-operation-log.ts';

let pool: TestPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('isRecordedAdminOperation', () => {
  it('records what changes a user or the pool, not reads nor admin sign-ins', () => {
    for (const operation of [
      'AdminCreateUser',
      'AdminDeleteUser',
      'AdminAddUserToGroup',
      'SetUserPoolMfaConfig',
    ])
      expect(isRecordedAdminOperation(operation), operation).toBe(true);
    for (const operation of [
      'AdminGetUser',
      'AdminListGroupsForUser',
      'ListUsers',
      'GetUserPoolMfaConfig',
      'DescribeUserPool',
      'AdminInitiateAuth',
      'AdminRespondToAuthChallenge',
    ])
      expect(isRecordedAdminOperation(operation), operation).toBe(false);
  });
});

describe('adminOperationSubject', () => {
  it("is the sub of the user the request names (by sub or email), and nobody's otherwise", async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    expect(await adminOperationSubject({ Username: 'ada@example.com' }, pool.services)).toBe(sub);
    expect(await adminOperationSubject({ Username: sub }, pool.services)).toBe(sub);
    expect(await adminOperationSubject({ Username: 'nobody@example.com' }, pool.services)).toBeUndefined();
    expect(await adminOperationSubject({ Username: '' }, pool.services)).toBeUndefined();
    expect(await adminOperationSubject({ Username: 42 }, pool.services)).toBeUndefined();
    expect(await adminOperationSubject({ GroupName: 'moderators' }, pool.services)).toBeUndefined();
  });
});

describe('recordAdminOperation', () => {
  it('reaches the audit log through the change stream and leaves nothing in the table', async () => {
    pool = await testPool();
    const { users } = pool.services;
    const sub = await pool.user('ada@example.com');
    const records: StreamRecord[] = [];
    const reader = users.changes.subscribe('admin-operations', async (batch) => void records.push(...batch));
    await recordAdminOperation(
      {
        name: 'AdminAddUserToGroup',
        accessKeyId: 'AKIDEXAMPLE',
        subject: sub,
        request: { Username: 'ada@example.com', GroupName: 'moderators', UserPoolId: 'ignored' },
      },
      pool.services,
    );
    await reader.drain();
    await reader.stop();

    const operation = records.filter((record) => recordKey(record).PK.startsWith('ADMINOP#'));
    expect(operation.map((record) => record.eventName)).toEqual(['INSERT', 'REMOVE']);
    const facts = auditFactsOf(operation, 'users');
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({
      kind: 'admin',
      action: 'AdminAddUserToGroup',
      actor: 'admin:AKIDEXAMPLE',
      userId: sub,
      detail: { username: 'ada@example.com', group: 'moderators' },
    });
    const key = recordKey(operation[0]!);
    expect((await users.get(key, { consistent: true })).item).toBeUndefined();
  });

  it('names no user when the operation concerns none, and expires the item should its delete be lost', async () => {
    pool = await testPool();
    const puts: Record<string, unknown>[] = [];
    const { users } = pool.services;
    const watched = Object.create(users) as typeof users;
    watched.put = (input) => {
      puts.push(input.item);
      return users.put(input);
    };
    await recordAdminOperation(
      { name: 'SetUserPoolMfaConfig', accessKeyId: 'AKIDEXAMPLE', subject: undefined, request: {} },
      { ...pool.services, users: watched },
    );
    expect(puts).toHaveLength(1);
    expect(puts[0]!.audit).toEqual({
      kind: 'admin',
      action: 'SetUserPoolMfaConfig',
      actor: 'admin:AKIDEXAMPLE',
      detail: {},
    });
    expect(puts[0]!.ttl).toBe(Math.ceil(pool.clock.now() / 1000) + 24 * 3600);
  });
});
