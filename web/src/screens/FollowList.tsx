import { useCallback } from 'react';
import { gql } from '../api/client.ts';
import { listFollowersQuery, listFollowingQuery } from '../api/documents.ts';
import type { Connection, User } from '../api/types.ts';
import { displayName } from '../components/Avatar.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { UserRow } from '../components/UserRow.tsx';
import { usePagedList } from '../lib/paged-list.ts';
import { Link } from '../router.tsx';
import { useUserByName } from './Profile.tsx';

type Kind = 'followers' | 'following';

function People({ user, kind }: { user: User; kind: Kind }) {
  const fetchPage = useCallback(
    async (nextToken: string | null) => {
      const variables = { userId: user.id, limit: 20, nextToken };
      return kind === 'followers'
        ? (await gql<{ listFollowers: Connection<User> }>(listFollowersQuery, variables)).listFollowers
        : (await gql<{ listFollowing: Connection<User> }>(listFollowingQuery, variables)).listFollowing;
    },
    [user.id, kind],
  );
  const people = usePagedList(fetchPage, `${user.id}-${kind}`);
  return (
    <>
      {!people.state.initial && people.state.items.length === 0 && (
        <p className="muted">{kind === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'}</p>
      )}
      <ul className="user-list card">
        {people.state.items.map((person) => (
          <UserRow
            key={person.id}
            user={person}
            onChange={(changed) => people.dispatch({ type: 'update', id: person.id, change: () => changed })}
          />
        ))}
      </ul>
      <LoadMore list={people} />
    </>
  );
}

export function FollowList({ username, kind }: { username: string; kind: Kind }) {
  const { user, error, load } = useUserByName(username);
  if (error !== undefined) return <ErrorNote error={error} onRetry={load} />;
  if (user === undefined)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  if (user === null) return <h1>No one is called @{username}</h1>;
  return (
    <section>
      <p>
        <Link to={`/u/${encodeURIComponent(username)}`}>← {displayName(user)}</Link>
      </p>
      <h1>
        {kind === 'followers'
          ? `People following ${displayName(user)}`
          : `People ${displayName(user)} follows`}
      </h1>
      <People user={user} kind={kind} />
    </section>
  );
}
