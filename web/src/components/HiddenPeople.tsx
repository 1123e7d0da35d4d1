/** Settings' lists of the people the viewer blocks and mutes, each with a way to take it back. */
import { useCallback, useState } from 'react';
import { gql } from '../api/client.ts';
import {
  listBlockedQuery,
  listMutedQuery,
  unblockUserMutation,
  unmuteUserMutation,
} from '../api/documents.ts';
import type { Connection, UserSummary } from '../api/types.ts';
import { usePagedList } from '../lib/paged-list.ts';
import { Link } from '../router.tsx';
import { Avatar, displayName } from './Avatar.tsx';
import { ErrorNote } from './ErrorNote.tsx';
import { LoadMore } from './LoadMore.tsx';

const kinds = {
  blocked: {
    title: 'Blocked',
    empty: 'You block nobody.',
    query: listBlockedQuery,
    field: 'listBlocked',
    undo: unblockUserMutation,
    undoLabel: 'Unblock',
  },
  muted: {
    title: 'Muted',
    empty: 'You mute nobody.',
    query: listMutedQuery,
    field: 'listMuted',
    undo: unmuteUserMutation,
    undoLabel: 'Unmute',
  },
} as const;

function HiddenList({ kind }: { kind: keyof typeof kinds }) {
  const { title, empty, query, field, undo, undoLabel } = kinds[kind];
  const [error, setError] = useState<unknown>();
  const fetchPage = useCallback(
    async (nextToken: string | null) =>
      (await gql<Record<string, Connection<UserSummary>>>(query, { limit: 20, nextToken }))[field]!,
    [query, field],
  );
  const people = usePagedList(fetchPage, kind);
  async function takeBack(user: UserSummary) {
    setError(undefined);
    try {
      await gql(undo, { userId: user.id });
      people.dispatch({ type: 'remove', id: user.id });
    } catch (failure) {
      setError(failure);
    }
  }
  return (
    <section aria-labelledby={`${kind}-heading`}>
      <h3 id={`${kind}-heading`}>{title}</h3>
      {!people.state.initial && people.state.items.length === 0 && <p className="muted">{empty}</p>}
      <ul className="hidden-people">
        {people.state.items.map((user) => (
          <li key={user.id} className="user-row">
            <Avatar user={user} size={36} />
            <div className="grow">
              {user.username ? (
                <Link to={`/u/${encodeURIComponent(user.username)}`} className="author">
                  {displayName(user)}
                </Link>
              ) : (
                <span className="author">{displayName(user)}</span>
              )}
            </div>
            <button type="button" className="secondary" onClick={() => void takeBack(user)}>
              {undoLabel} {displayName(user)}
            </button>
          </li>
        ))}
      </ul>
      <LoadMore list={people} label={`Load more ${title.toLowerCase()} people`} />
      <ErrorNote error={error} />
    </section>
  );
}

export function HiddenPeople() {
  return (
    <section className="card" aria-labelledby="hidden-heading">
      <h2 id="hidden-heading">Blocked and muted</h2>
      <HiddenList kind="blocked" />
      <HiddenList kind="muted" />
    </section>
  );
}
