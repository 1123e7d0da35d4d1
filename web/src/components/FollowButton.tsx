import { useState } from 'react';
import { gql } from '../api/client.ts';
import { followUserMutation, unfollowUserMutation } from '../api/documents.ts';
import type { User } from '../api/types.ts';
import { displayName } from './Avatar.tsx';
import { ErrorNote } from './ErrorNote.tsx';

export function FollowButton({ user, onChange }: { user: User; onChange(user: User): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const following = user.viewerFollows === true;
  async function toggle() {
    setBusy(true);
    setError(undefined);
    try {
      const changed = following
        ? (await gql<{ unfollowUser: User }>(unfollowUserMutation, { userId: user.id })).unfollowUser
        : (await gql<{ followUser: User }>(followUserMutation, { userId: user.id })).followUser;
      onChange(changed);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button
        type="button"
        className={following ? 'secondary' : ''}
        aria-pressed={following}
        aria-label={`${following ? 'Unfollow' : 'Follow'} ${displayName(user)}`}
        disabled={busy}
        onClick={toggle}
      >
        {following ? 'Following' : 'Follow'}
      </button>
      <ErrorNote error={error} />
    </>
  );
}
