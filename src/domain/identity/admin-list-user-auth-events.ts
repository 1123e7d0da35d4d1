/**
 * AdminListUserAuthEvents: a user's authentication history (auth-events.ts records it), newest
 * first, a page at a time.
 */
import type { Item } from '../../ports/item-store/item-store.ts';
import { userNamed } from './admin-users.ts';
import { eventPrefix } from './auth-events.ts';
import { fail, userKeys, type IdentityServices } from './model.ts';

/** A NextToken: the sort key of the last event listed (the listing resumes before it). */
const nextToken = {
  encode: (sortKey: string) => Buffer.from(sortKey).toString('base64url'),
  decode: (token: string): string => {
    const sortKey = Buffer.from(token, 'base64url').toString('utf8');
    if (!sortKey.startsWith(eventPrefix) || sortKey.length > 200)
      fail('InvalidParameterException', 'Invalid pagination token.');
    return sortKey;
  },
};

function authEventType(item: Item) {
  return {
    EventId: String(item.eventId),
    EventType: String(item.eventType),
    CreationDate: Number(item.createdAt) / 1000,
    EventResponse: String(item.eventResponse),
    EventRisk: { RiskDecision: 'NoRisk', RiskLevel: 'Low', CompromisedCredentialsDetected: false },
    ChallengeResponses: Array.isArray(item.challenges) ? item.challenges : [],
    ...(item.context ? { EventContextData: item.context } : {}),
  };
}

/** The user's events, newest first, MaxResults (default and at most 60) a page. */
export async function adminListUserAuthEvents(
  request: { Username: string; MaxResults?: number; NextToken?: string },
  services: IdentityServices,
) {
  const user = await userNamed(request.Username, services);
  const limit = request.MaxResults === undefined || request.MaxResults === 0 ? 60 : request.MaxResults;
  if (!Number.isInteger(limit) || limit < 0 || limit > 60)
    fail('InvalidParameterException', 'MaxResults must be between 0 and 60');
  const before = request.NextToken === undefined ? undefined : nextToken.decode(request.NextToken);
  const now = services.clock.now();
  const events: Item[] = [];
  let cursor: string | undefined;
  let more = false;
  // Read one beyond the page to know whether there is a next; the store may still hold expired events.
  do {
    const page = await services.users.query({
      partition: userKeys.user(user.sub).PK,
      sortKey: before
        ? { op: 'between', low: eventPrefix, high: before }
        : { op: 'beginsWith', value: eventPrefix },
      descending: true,
      limit: limit + 2,
      ...(cursor ? { cursor } : {}),
    });
    for (const item of page.items) {
      if (String(item.SK) === before || Number(item.ttl) * 1000 <= now) continue;
      if (events.length === limit) {
        more = true;
        break;
      }
      events.push(item);
    }
    cursor = more ? undefined : page.cursor;
  } while (cursor);
  const last = events.at(-1);
  return {
    AuthEvents: events.map(authEventType),
    ...(more && last ? { NextToken: nextToken.encode(String(last.SK)) } : {}),
  };
}
