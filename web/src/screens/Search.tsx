import { useCallback, useEffect, useState } from 'react';
import { gql } from '../api/client.ts';
import { searchUsersQuery } from '../api/documents.ts';
import type { Connection, User } from '../api/types.ts';
import { LoadMore } from '../components/LoadMore.tsx';
import { UserRow } from '../components/UserRow.tsx';
import { usePagedList } from '../lib/paged-list.ts';
import { navigate, useLocation } from '../router.tsx';

/** Usernames are letters, digits, "_" and "."; search takes the start of one. */
export function searchPrefix(text: string): string | undefined {
  const prefix = text.trim().replace(/^@/, '').toLowerCase();
  return /^[a-z0-9_.]{1,30}$/.test(prefix) ? prefix : undefined;
}

function Results({ prefix }: { prefix: string }) {
  const fetchPage = useCallback(
    async (nextToken: string | null) =>
      (await gql<{ searchUsers: Connection<User> }>(searchUsersQuery, { prefix, limit: 20, nextToken }))
        .searchUsers,
    [prefix],
  );
  const results = usePagedList(fetchPage, prefix);
  return (
    <>
      <p className="visually-hidden" role="status">
        {results.state.initial ? 'Searching' : `${results.state.items.length} people found`}
      </p>
      {!results.state.initial && results.state.items.length === 0 && (
        <p className="muted">No one matches “{prefix}”.</p>
      )}
      <ul className="user-list card" aria-label="People">
        {results.state.items.map((user) => (
          <UserRow
            key={user.id}
            user={user}
            onChange={(changed) => results.dispatch({ type: 'update', id: user.id, change: () => changed })}
          />
        ))}
      </ul>
      <LoadMore list={results} />
    </>
  );
}

export function Search() {
  const { search } = useLocation();
  const [text, setText] = useState(search.get('q') ?? '');
  const [query, setQuery] = useState(text);

  // Typing settles for a moment before a search goes out; the address keeps it (back button, sharing).
  useEffect(() => {
    const timer = setTimeout(() => {
      setQuery(text);
      navigate(text ? `/search?q=${encodeURIComponent(text)}` : '/search', { replace: true });
    }, 250);
    return () => clearTimeout(timer);
  }, [text]);

  const prefix = searchPrefix(query);
  return (
    <section>
      <h1>Search</h1>
      <form role="search" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="search-input" className="visually-hidden">
          Search people by username
        </label>
        <input
          id="search-input"
          type="search"
          placeholder="Search people by username"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </form>
      {query.trim() && !prefix && (
        <p className="error" role="alert">
          Usernames have only letters, digits, “_” and “.”.
        </p>
      )}
      {prefix && <Results key={prefix} prefix={prefix} />}
    </section>
  );
}
