import type { User } from '../api/types.ts';
import { Link } from '../router.tsx';
import { useMe } from '../session.tsx';
import { Avatar, displayName } from './Avatar.tsx';
import { FollowButton } from './FollowButton.tsx';

export function UserRow({ user, onChange }: { user: User; onChange(user: User): void }) {
  const me = useMe();
  return (
    <li className="user-row">
      <Avatar user={user} size={44} />
      <div className="grow">
        <Link to={`/u/${encodeURIComponent(user.username ?? '')}`} className="author">
          {displayName(user)}
        </Link>
        {user.username && <div className="muted small">@{user.username}</div>}
      </div>
      {user.id !== me.id && <FollowButton user={user} onChange={onChange} />}
    </li>
  );
}
