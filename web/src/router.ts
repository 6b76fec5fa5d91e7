import { useEffect, useState } from 'preact/hooks';

/** The app's pages and the paths they live at. */
export type Route =
  | { page: 'home' }
  | { page: 'login'; next?: string }
  | { page: 'signup' }
  | { page: 'join'; code: string }
  | { page: 'forgotPassword' }
  | { page: 'resetPassword' }
  | { page: 'verifyEmail' }
  | { page: 'guestLink' }
  | { page: 'team'; teamId: string }
  | { page: 'newRetro'; teamId: string }
  | { page: 'teamDashboard'; teamId: string }
  | { page: 'workspaceDashboard'; workspaceId: string }
  | { page: 'retro'; retroId: string }
  | { page: 'archive'; retroId: string }
  | { page: 'timeTravel'; retroId: string }
  | { page: 'survey'; surveyId: string }
  | { page: 'board'; boardId: string }
  | { page: 'notFound' };

const seg = '([^/]+)';
const table: [RegExp, (m: string[]) => Route][] = [
  [/^\/$/, () => ({ page: 'home' })],
  [/^\/login$/, () => ({ page: 'login' })],
  [/^\/signup$/, () => ({ page: 'signup' })],
  [new RegExp(`^/join/${seg}$`), (m) => ({ page: 'join', code: m[1]! })],
  // The pages mailed links open (the token is in the fragment).
  [/^\/forgot-password$/, () => ({ page: 'forgotPassword' })],
  [/^\/reset-password$/, () => ({ page: 'resetPassword' })],
  [/^\/verify-email$/, () => ({ page: 'verifyEmail' })],
  [/^\/guest-link$/, () => ({ page: 'guestLink' })],
  [new RegExp(`^/teams/${seg}$`), (m) => ({ page: 'team', teamId: m[1]! })],
  [new RegExp(`^/teams/${seg}/new-retro$`), (m) => ({ page: 'newRetro', teamId: m[1]! })],
  [new RegExp(`^/teams/${seg}/dashboard$`), (m) => ({ page: 'teamDashboard', teamId: m[1]! })],
  [new RegExp(`^/workspaces/${seg}/dashboard$`), (m) => ({ page: 'workspaceDashboard', workspaceId: m[1]! })],
  [new RegExp(`^/retros/${seg}$`), (m) => ({ page: 'retro', retroId: m[1]! })],
  [new RegExp(`^/retros/${seg}/archive$`), (m) => ({ page: 'archive', retroId: m[1]! })],
  [new RegExp(`^/retros/${seg}/at$`), (m) => ({ page: 'timeTravel', retroId: m[1]! })],
  [new RegExp(`^/surveys/${seg}$`), (m) => ({ page: 'survey', surveyId: m[1]! })],
  [new RegExp(`^/boards/${seg}$`), (m) => ({ page: 'board', boardId: m[1]! })],
];

export function parseRoute(path: string, search = ''): Route {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const [re, make] of table) {
    const m = re.exec(clean);
    if (m) {
      const r = make(m.map((s) => (s === undefined ? s : decodeURIComponent(s))));
      if (r.page === 'login') {
        const next = new URLSearchParams(search).get('next');
        if (next && next.startsWith('/') && !next.startsWith('//')) r.next = next;
      }
      return r;
    }
  }
  return { page: 'notFound' };
}

export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.pathname, location.search));
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return route;
}

/** Turns a same-origin link click into client-side navigation. */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/v1/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
