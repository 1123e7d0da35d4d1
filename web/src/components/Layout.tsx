import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useLocation } from '../router.tsx';
import { useMe } from '../session.tsx';
import { Avatar } from './Avatar.tsx';
import { NotificationBell } from './NotificationBell.tsx';

function NavLink({ to, children, label }: { to: string; children: ReactNode; label: string }) {
  const { pathname } = useLocation();
  const current = to === '/' ? pathname === '/' : pathname.startsWith(to);
  return (
    <Link to={to} aria-current={current ? 'page' : undefined} aria-label={label} className="nav-link">
      {children}
    </Link>
  );
}

/** After a navigation, focus goes to the new screen's heading, so screen readers announce where they are. */
function useFocusOnNavigation() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }, [pathname]);
}

export function SignedInLayout({ children }: { children: ReactNode }) {
  const me = useMe();
  useFocusOnNavigation();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Plaza
        </Link>
        <nav aria-label="Main" className="nav">
          <NavLink to="/" label="Home">
            <span aria-hidden="true">⌂</span>
            <span className="nav-text">Home</span>
          </NavLink>
          <NavLink to="/search" label="Search">
            <span aria-hidden="true">⌕</span>
            <span className="nav-text">Search</span>
          </NavLink>
          <NavLink to="/new" label="New post">
            <span aria-hidden="true">+</span>
            <span className="nav-text">New post</span>
          </NavLink>
          <NotificationBell />
          <NavLink to={`/u/${encodeURIComponent(me.username ?? '')}`} label="Your profile">
            <Avatar user={me} size={24} />
            <span className="nav-text">Profile</span>
          </NavLink>
          <NavLink to="/settings" label="Settings">
            <span aria-hidden="true">⚙</span>
            <span className="nav-text">Settings</span>
          </NavLink>
        </nav>
      </header>
      <main id="main" className="content">
        {children}
      </main>
    </>
  );
}

export function SignedOutLayout({ children }: { children: ReactNode }) {
  useFocusOnNavigation();
  return (
    <main id="main" className="content narrow">
      <p className="brand big">Plaza</p>
      {children}
    </main>
  );
}
