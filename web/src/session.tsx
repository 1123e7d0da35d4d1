/**
 * Who is signed in, and their profile: a small store outside React (Amplify's
 * session is itself outside React), read by every screen through useSession.
 */
import { useSyncExternalStore } from 'react';
import { getCurrentUser } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { Amplify } from 'aws-amplify';
import { signOutOfPool } from './amplify.ts';
import { gql, setGuestCredentials } from './api/client.ts';
import { meQuery } from './api/documents.ts';
import type { User } from './api/types.ts';
import { prefetchHomeFeed } from './lib/home-feed.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'failed'; error: unknown }
  | { status: 'signedIn'; userId: string; me: User };

export interface Session {
  state: SessionState;
  /** Reads who is signed in again (after sign-in, or when the profile changed). */
  refresh(): Promise<void>;
  setMe(me: User): void;
  signOut(options?: { everywhere?: boolean }): Promise<void>;
}

let state: SessionState = { status: 'loading' };
const listeners = new Set<() => void>();
/** Whether the deployment gives visitors guest credentials (an identity pool with guests allowed). */
export function guestsAllowed(): boolean {
  const cognito = Amplify.getConfig().Auth?.Cognito;
  return Boolean(cognito?.identityPoolId && cognito.allowGuestAccess);
}

function set(next: SessionState) {
  // Signed out, the public pages read as a guest; signed in, as the user (refresh switches back).
  if (next.status === 'signedOut') setGuestCredentials(guestsAllowed());
  state = next;
  listeners.forEach((listener) => listener());
}

async function refresh(): Promise<void> {
  let userId: string;
  try {
    ({ userId } = await getCurrentUser());
  } catch {
    return set({ status: 'signedOut' });
  }
  setGuestCredentials(false);
  if (state.status === 'loading' && location.pathname === '/') prefetchHomeFeed();
  try {
    const { me } = await gql<{ me: User | null }>(meQuery);
    if (!me) throw new Error('Your profile was not found');
    set({ status: 'signedIn', userId, me });
  } catch (error) {
    set({ status: 'failed', error });
  }
}

async function signOut(options: { everywhere?: boolean } = {}): Promise<void> {
  await signOutOfPool(options.everywhere === true);
  set({ status: 'signedOut' });
}

function setMe(me: User) {
  if (state.status === 'signedIn') set({ ...state, me });
}

/** Reads the session for the first time, and follows Amplify's auth events from then on. */
export function startSession(): void {
  // A refresh token that no longer works (signed out everywhere, from another device) ends the session here too.
  Hub.listen('auth', ({ payload }) => {
    if (payload.event === 'tokenRefresh_failure' || payload.event === 'signedOut')
      set({ status: 'signedOut' });
  });
  void refresh();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session {
  const current = useSyncExternalStore(subscribe, () => state);
  return { state: current, refresh, setMe, signOut };
}

/** The signed-in person's profile; screens behind sign-in only. */
export function useMe(): User {
  const { state: current } = useSession();
  if (current.status !== 'signedIn') throw new Error('useMe needs a signed-in session');
  return current.me;
}
