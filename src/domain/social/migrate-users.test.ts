import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { PlazaError } from '../../platform/errors.ts';
import type { MigrationPool, PoolUser } from '../../ports/migration-pool.ts';
import { readCsv } from '../identity/csv.ts';
import { migrateUsers } from './migrate-users.ts';
import { userAliases, type UserAliases } from './user-aliases.ts';

let world: SocialWorld;
afterEach(() => world.close());

const header =
  'name,email,email_verified,phone_number,phone_number_verified,cognito:mfa_enabled,cognito:username';
const ana = '0b5e1c9a-0000-4000-8000-000000000001';
const ben = '0b5e1c9a-0000-4000-8000-000000000002';

async function* text(value: string) {
  yield value;
}

/** A pool in memory, as Cognito answers: a user per email, new subs, FORCE_CHANGE_PASSWORD until finished. */
function memoryPool() {
  const users = new Map<string, PoolUser & { attributes: Record<string, string>; smsMfa?: boolean }>();
  let next = 0;
  const pool: MigrationPool = {
    async createUser({ email, attributes }) {
      const known = users.get(email);
      if (known) return { ...known, created: false };
      if (attributes.nickname)
        throw new PlazaError('BadInput', 'Attribute does not exist in the schema: nickname');
      const sub = `7d1f0000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
      const user = { sub, username: sub, status: 'FORCE_CHANGE_PASSWORD', attributes };
      users.set(email, user);
      return { ...user, created: true };
    },
    async finish(user, { smsMfa }) {
      const stored = [...users.values()].find((entry) => entry.sub === user.sub)!;
      Object.assign(stored, { status: 'CONFIRMED', smsMfa });
    },
  };
  return { pool, users };
}

describe('migrateUsers', () => {
  let aliases: UserAliases;
  const setUp = () => {
    world = socialWorld();
    aliases = userAliases(world.social.store, 'us-east-1_Failover');
    return memoryPool();
  };

  it('makes each exported user in the pool with their attributes and links the new sub to their id', async () => {
    const { pool, users } = setUp();
    const csv = [
      header,
      `Ana,ana@example.com,true,+15555550100,true,true,${ana}`,
      `,ben@example.com,TRUE,,,false,${ben}`,
    ].join('\n');
    const summary = await migrateUsers(readCsv(text(csv)), { pool, aliases });
    expect(summary).toEqual({ migrated: 2, present: 0, skipped: [] });
    const made = users.get('ana@example.com')!;
    expect(made).toMatchObject({
      status: 'CONFIRMED',
      smsMfa: true,
      attributes: {
        name: 'Ana',
        email_verified: 'true',
        phone_number: '+15555550100',
        phone_number_verified: 'true',
      },
    });
    expect(await aliases.userIdOf(made.sub)).toBe(ana);
    expect(await aliases.userIdOf(users.get('ben@example.com')!.sub)).toBe(ben);
    expect(await aliases.usernameOf(ben)).toBe(users.get('ben@example.com')!.sub);
  });

  it('skips rows it cannot migrate, naming their lines, and goes on', async () => {
    const { pool, users } = setUp();
    // Ben signed up in the failover pool on his own before the migration ran.
    await pool.createUser({ email: 'ben@example.com', attributes: {} });
    users.get('ben@example.com')!.status = 'CONFIRMED';
    const csv = [
      `${header},nickname`,
      `,ana@example.com,false,,,,${ana},`,
      `,ben@example.com,true,,,,${ben},`,
      `,cy@example.com,true,,,,,`,
      `,dee@example.com,true,,,,0b5e1c9a-0000-4000-8000-000000000004,dee`,
      `,eve@example.com,true`,
      `,fay@example.com,true,,,,0b5e1c9a-0000-4000-8000-000000000006,`,
    ].join('\n');
    const summary = await migrateUsers(readCsv(text(csv)), { pool, aliases });
    expect(summary.migrated).toBe(1);
    expect(summary.skipped.map(({ line, message }) => [line, message.split(':')[0]])).toEqual([
      [2, 'ana@example.com'],
      [
        3,
        'ben@example.com signed up in this pool before the migration (as 7d1f0000-0000-4000-8000-000000000001)',
      ],
      [4, 'no cognito'],
      [5, 'Attribute does not exist in the schema'],
      [6, '3 fields where the header has 8'],
    ]);
    expect(await aliases.userIdOf(users.get('ben@example.com')!.sub)).not.toBe(ben);
  });

  it('runs again: migrated users are present, one made but not linked (the job stopped) is linked', async () => {
    const { pool, users } = setUp();
    const csv = [header, `,ana@example.com,true,,,,${ana}`, `,ben@example.com,true,,,,${ben}`].join('\n');
    await pool.createUser({ email: 'ben@example.com', attributes: {} });
    expect(await migrateUsers(readCsv(text(csv)), { pool, aliases })).toEqual({
      migrated: 2,
      present: 0,
      skipped: [],
    });
    expect(users.get('ben@example.com')!.status).toBe('CONFIRMED');
    expect(await migrateUsers(readCsv(text(csv)), { pool, aliases })).toEqual({
      migrated: 0,
      present: 2,
      skipped: [],
    });
  });

  it('follows a link: a user exported from a refilled pool keeps their first id', async () => {
    const { pool, users } = setUp();
    const earlierSub = '7d1f0000-0000-4000-8000-0000000000ff';
    await userAliases(world.social.store, 'us-west-1_Primary').link({
      sub: earlierSub,
      username: earlierSub,
      userId: ana,
    });
    await migrateUsers(readCsv(text([header, `,ana@example.com,true,,,,${earlierSub}`].join('\n'))), {
      pool,
      aliases,
    });
    expect(await aliases.userIdOf(users.get('ana@example.com')!.sub)).toBe(ana);
  });

  it('refuses a file without the columns it needs, or without a header', async () => {
    const { pool } = setUp();
    await failsWith(
      migrateUsers(readCsv(text('name,email\nAna,a@example.com')), { pool, aliases }),
      'BadInput',
    );
    await failsWith(migrateUsers(readCsv(text('')), { pool, aliases }), 'BadInput');
  });
});
