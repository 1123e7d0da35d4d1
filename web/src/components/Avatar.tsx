import type { UserSummary } from '../api/types.ts';
import { srcSetOf, variantFor } from '../lib/media.ts';

export function displayName(user: Pick<UserSummary, 'displayName' | 'username'> | null | undefined): string {
  return user?.displayName || user?.username || 'Someone';
}

/** A round picture of someone (their avatar's smallest fitting variant), or their initial. */
export function Avatar({ user, size = 40 }: { user: UserSummary | null | undefined; size?: number }) {
  const avatar = user?.avatar;
  const name = displayName(user);
  if (avatar && avatar.status === 'READY' && (avatar.variants?.length || avatar.url)) {
    return (
      <img
        className="avatar"
        src={variantFor(avatar, size * 2)?.url ?? avatar.url ?? undefined}
        srcSet={srcSetOf(avatar)}
        sizes={`${size}px`}
        width={size}
        height={size}
        alt=""
        loading="lazy"
        decoding="async"
      />
    );
  }
  return (
    <span
      className="avatar initial"
      style={{ width: size, height: size, fontSize: size * 0.45 }}
      aria-hidden="true"
    >
      {name.charAt(0).toUpperCase()}
    </span>
  );
}
