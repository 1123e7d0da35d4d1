import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { ErrorNote } from './components/ErrorNote.tsx';
import { SignedInLayout, SignedOutLayout } from './components/Layout.tsx';
import { matchPath, navigate, useLocation } from './router.tsx';
import { Home } from './screens/Home.tsx';
import { PostPage } from './screens/PostPage.tsx';
import { Profile } from './screens/Profile.tsx';
import { SignIn } from './screens/SignIn.tsx';
import { guestsAllowed, useSession } from './session.tsx';

// Screens off the way to the feed load when first opened, keeping the first download small.
const SignUp = lazy(() => import('./screens/SignUp.tsx').then((m) => ({ default: m.SignUp })));
const Confirm = lazy(() => import('./screens/Confirm.tsx').then((m) => ({ default: m.Confirm })));
const Mailbox = lazy(() => import('./screens/Mailbox.tsx').then((m) => ({ default: m.Mailbox })));
const ProfileSetup = lazy(() =>
  import('./screens/ProfileSetup.tsx').then((m) => ({ default: m.ProfileSetup })),
);
const CreatePost = lazy(() => import('./screens/CreatePost.tsx').then((m) => ({ default: m.CreatePost })));
const FollowList = lazy(() => import('./screens/FollowList.tsx').then((m) => ({ default: m.FollowList })));
const Search = lazy(() => import('./screens/Search.tsx').then((m) => ({ default: m.Search })));
const Settings = lazy(() => import('./screens/Settings.tsx').then((m) => ({ default: m.Settings })));
const Notifications = lazy(() =>
  import('./screens/Notifications.tsx').then((m) => ({ default: m.Notifications })),
);
const Hashtag = lazy(() => import('./screens/Hashtag.tsx').then((m) => ({ default: m.Hashtag })));
const PublicFeed = lazy(() => import('./screens/PublicPages.tsx').then((m) => ({ default: m.PublicFeed })));
const PublicPost = lazy(() => import('./screens/PublicPages.tsx').then((m) => ({ default: m.PublicPost })));
const PublicProfile = lazy(() =>
  import('./screens/PublicPages.tsx').then((m) => ({ default: m.PublicProfile })),
);
const AdminConsole = lazy(() =>
  import('./admin/AdminConsole.tsx').then((m) => ({ default: m.AdminConsole })),
);

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Loading() {
  return (
    <p className="muted center" role="status">
      Loading…
    </p>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/">Go to your feed</a>.
      </p>
    </section>
  );
}

/** The pages a visitor may read without signing in, with guest credentials. */
function publicScreen(pathname: string): ReactNode {
  if (pathname === '/explore') return <PublicFeed />;
  let params = matchPath('/explore/p/:id', pathname);
  if (params) return <PublicPost key={params.id} id={params.id ?? ''} />;
  params = matchPath('/explore/u/:username', pathname);
  if (params) return <PublicProfile key={params.username} username={params.username ?? ''} />;
  return undefined;
}

function signedOutScreen(pathname: string, search: URLSearchParams): ReactNode {
  switch (pathname) {
    case '/signin':
      return <SignIn />;
    case '/signup':
      return <SignUp />;
    case '/confirm':
      return <Confirm />;
    case '/mailbox':
      return <Mailbox />;
    default: {
      const visit = guestsAllowed() ? publicScreen(pathname) : undefined;
      if (visit) return visit;
      const next =
        pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + (search.size ? `?${search}` : ''))}`;
      return <Redirect to={`/signin${next}`} />;
    }
  }
}

function signedInScreen(pathname: string): ReactNode {
  if (pathname === '/') return <Home />;
  // The public pages' addresses (followed from sign-in's `next`) are the app's own pages.
  if (pathname === '/explore' || pathname.startsWith('/explore/'))
    return <Redirect to={pathname.slice('/explore'.length) || '/'} />;
  if (pathname === '/new') return <CreatePost />;
  if (pathname === '/search') return <Search />;
  if (pathname === '/settings') return <Settings />;
  if (pathname === '/welcome' || pathname === '/settings/profile') return <ProfileSetup />;
  if (pathname === '/mailbox') return <Mailbox />;
  if (pathname === '/notifications') return <Notifications />;
  if (pathname === '/admin') return <AdminConsole />;
  let params = matchPath('/tag/:tag', pathname);
  if (params) return <Hashtag key={params.tag} tag={params.tag ?? ''} />;
  params = matchPath('/p/:id', pathname);
  if (params) return <PostPage key={params.id} id={params.id ?? ''} />;
  params = matchPath('/u/:username', pathname);
  if (params) return <Profile key={params.username} username={params.username ?? ''} />;
  for (const kind of ['followers', 'following'] as const) {
    params = matchPath(`/u/:username/${kind}`, pathname);
    if (params)
      return <FollowList key={`${params.username}-${kind}`} username={params.username ?? ''} kind={kind} />;
  }
  if (['/signin', '/signup', '/confirm'].includes(pathname)) return <Redirect to="/" />;
  return <NotFound />;
}

export function App() {
  const session = useSession();
  const { pathname, search } = useLocation();
  const { state } = session;

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'failed')
    return (
      <SignedOutLayout>
        <h1>Plaza could not load</h1>
        <ErrorNote error={state.error} onRetry={() => void session.refresh()} />
        <button type="button" className="link" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </SignedOutLayout>
    );
  if (state.status === 'signedOut')
    return (
      <SignedOutLayout>
        <Suspense fallback={<Loading />}>{signedOutScreen(pathname, search)}</Suspense>
      </SignedOutLayout>
    );
  // A new account picks its username before anything else.
  if (!state.me.username && pathname !== '/welcome' && pathname !== '/mailbox')
    return <Redirect to="/welcome" />;
  return (
    <SignedInLayout>
      <Suspense fallback={<Loading />}>{signedInScreen(pathname)}</Suspense>
    </SignedInLayout>
  );
}
