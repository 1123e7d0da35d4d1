/**
 * The user's authentication history, as Cognito's AdminListUserAuthEvents lists it: sign-ins
 * (passed, failed at the password or at MFA), sign-up, password resets and changes, resent codes.
 * Each event is one put under the user (`USER#<sub>` / `EVENT#<time>#<id>`), so it costs a
 * sign-in one write, goes when the user goes (removeUser empties the partition), and expires
 * with the table's TTL after `authEventDays`. At most `authEventsKept` are kept per user.
 */
import type { Item } from '../../ports/item-store/item-store.ts';
import { userKeys, type IdentityServices } from './model.ts';

export type AuthEventType = 'SignIn' | 'SignUp' | 'ForgotPassword' | 'PasswordChange' | 'ResendCode';
export type AuthEventResponse = 'Pass' | 'Fail' | 'InProgress';
export interface ChallengeResult {
  ChallengeName: 'Password' | 'Mfa';
  ChallengeResponse: 'Success' | 'Failure';
}
/** Where the event came from, when the edge that saw it knows (the hosted UI's browser). */
export interface AuthEventContext {
  IpAddress?: string;
  DeviceName?: string;
}

/** How long an event is kept (Cognito's advanced security keeps its history for 90 days). */
export const authEventDays = 90;
/** The most events kept per user: a flood of failed sign-ins cannot grow a partition without end. */
export const authEventsKept = 100;
/** One recording in this many trims the user's oldest events beyond `authEventsKept`. */
const trimEvery = 16;

export const eventPrefix = 'EVENT#';

/**
 * The key of an event, its id a ULID: in time order (monotonic within a millisecond), so a
 * descending query of the user's partition lists the newest first.
 */
export function authEventKey(sub: string, eventId: string) {
  return { PK: userKeys.user(sub).PK, SK: `${eventPrefix}${eventId}` };
}

export const passwordSuccess: ChallengeResult = { ChallengeName: 'Password', ChallengeResponse: 'Success' };
export const passwordFailure: ChallengeResult = { ChallengeName: 'Password', ChallengeResponse: 'Failure' };
export const mfaSuccess: ChallengeResult = { ChallengeName: 'Mfa', ChallengeResponse: 'Success' };
export const mfaFailure: ChallengeResult = { ChallengeName: 'Mfa', ChallengeResponse: 'Failure' };

/**
 * Records an event for a user. A store that fails here does not fail the sign-in or reset it
 * describes: the history is an aid to the back office, the sign-in is the user's.
 */
export async function recordAuthEvent(
  sub: string,
  event: {
    type: AuthEventType;
    response: AuthEventResponse;
    challenges?: ChallengeResult[];
    context?: AuthEventContext;
  },
  { users, clock, ids }: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
): Promise<void> {
  const at = clock.now();
  const eventId = ids.ulid();
  const item: Item = {
    ...authEventKey(sub, eventId),
    eventId,
    eventType: event.type,
    eventResponse: event.response,
    challenges: (event.challenges ?? []).map((challenge) => ({ ...challenge })),
    ...(event.context ? { context: { ...event.context } } : {}),
    createdAt: at,
    ttl: Math.ceil(at / 1000) + authEventDays * 24 * 3600,
  };
  try {
    await users.put({ item });
    // The id's last (random) character decides, so one recording in `trimEvery` pays for the trim.
    if (eventId.charCodeAt(eventId.length - 1) % trimEvery === 0) await trimAuthEvents(sub, { users });
  } catch {
    // See above: never the caller's failure.
  }
}

/** Deletes a user's events beyond the newest `keep`. */
export async function trimAuthEvents(
  sub: string,
  { users }: Pick<IdentityServices, 'users'>,
  keep = authEventsKept,
): Promise<void> {
  const query = {
    partition: userKeys.user(sub).PK,
    sortKey: { op: 'beginsWith' as const, value: eventPrefix },
    descending: true,
  };
  let seen = 0;
  let cursor: string | undefined;
  do {
    const page = await users.query({ ...query, limit: 100, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      if (seen++ >= keep) await users.delete({ key: { PK: String(item.PK), SK: String(item.SK) } });
    }
    cursor = page.cursor;
  } while (cursor);
}
