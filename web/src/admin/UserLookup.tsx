/** Finds a user by email, @name or id, and acts on them: sessions, enablement, groups, deletion. */
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { adminApi, moderatorsGroup, type ConsoleUser } from './api.ts';

export function UserLookup() {
  const [query, setQuery] = useState('');
  const [user, setUser] = useState<ConsoleUser | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const find = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      setUser(undefined);
      setUser((await adminApi<{ user: ConsoleUser }>(`/users?q=${encodeURIComponent(query.trim())}`)).user);
    });
  };
  const act = (found: ConsoleUser, action: 'disable' | 'enable' | 'sign-out', done: string) =>
    run(async () => {
      const { user: updated } = await adminApi<{ user: ConsoleUser }>(
        `/users/${encodeURIComponent(found.sub)}/${action}`,
        'POST',
      );
      setUser(updated);
      setNotice(done);
    });
  const regroup = (found: ConsoleUser, group: string, join: boolean) =>
    run(async () => {
      const path = `/users/${encodeURIComponent(found.sub)}/groups/${encodeURIComponent(group)}`;
      const { groups } = await adminApi<{ groups: string[] }>(path, join ? 'PUT' : 'DELETE');
      setUser({ ...found, groups });
    });
  const remove = (found: ConsoleUser) => {
    if (
      !window.confirm(`Delete ${found.email ?? found.sub} and everything they posted? This cannot be undone.`)
    )
      return;
    void run(async () => {
      await adminApi(`/users/${encodeURIComponent(found.sub)}`, 'DELETE');
      setUser(undefined);
      setNotice(`Deleted ${found.email ?? found.sub}.`);
    });
  };

  const moderator = user?.groups.includes(moderatorsGroup) ?? false;
  return (
    <section aria-labelledby="users-heading" className="console-panel">
      <h2 id="users-heading">Users</h2>
      <form onSubmit={find} className="console-row">
        <label htmlFor="user-query">Email, @name or user id</label>
        <input id="user-query" value={query} onChange={(event) => setQuery(event.target.value)} required />
        <button type="submit" disabled={busy}>
          Find
        </button>
      </form>
      <ErrorNote error={error} />
      {notice && <p role="status">{notice}</p>}
      {user && (
        <div className="console-user" aria-label="Found user">
          <dl>
            <dt>Email</dt>
            <dd>{user.email ?? '—'}</dd>
            <dt>User id</dt>
            <dd>
              <code>{user.sub}</code>
            </dd>
            <dt>Status</dt>
            <dd>
              {user.enabled ? 'Enabled' : 'Disabled'} · {user.status}
            </dd>
            <dt>Groups</dt>
            <dd>{user.groups.length > 0 ? user.groups.join(', ') : 'none'}</dd>
          </dl>
          <div className="console-actions">
            {user.enabled ? (
              <button type="button" disabled={busy} onClick={() => void act(user, 'disable', 'Disabled.')}>
                Disable
              </button>
            ) : (
              <button type="button" disabled={busy} onClick={() => void act(user, 'enable', 'Enabled.')}>
                Enable
              </button>
            )}
            <button
              type="button"
              disabled={busy}
              onClick={() => void act(user, 'sign-out', 'Signed out everywhere.')}
            >
              Sign out everywhere
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => void regroup(user, moderatorsGroup, !moderator)}
            >
              {moderator ? 'Remove from moderators' : 'Add to moderators'}
            </button>
            <button type="button" className="secondary danger" disabled={busy} onClick={() => remove(user)}>
              Delete
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
