import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, Client, NetworkError } from './api/client';
import { describeError } from './api/problem';
import type { Me } from './api/types';
import { I18n, initialLang, languages, translator, useI18n, type Lang } from './i18n';
import { OfflineStore } from './live/offline';
import { Outbox } from './live/outbox';
import { Home } from './pages/Home';
import { ForgotPassword, GuestLink, ResetPassword, VerifyEmail } from './pages/MailLinks';
import { Join } from './pages/Join';
import { Login, Signup } from './pages/Login';
import { NewRetro } from './pages/NewRetro';
import { Team } from './pages/Team';
import { Archive, TimeTravel } from './pages/PastRetro';
import { SurveyPage } from './pages/Survey';
import { RetroPage } from './retro/RetroPage';
import { LazyBoard } from './board/LazyBoard';
import { navigate, onLinkClick, useRoute, type Route } from './router';
import { ServicesContext, SessionContext, type Services } from './services';

const langKey = 'hindsight.lang';

interface Notice {
  id: number;
  text: string;
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => initialLang(localStorage.getItem(langKey), navigator.languages ?? []));
  const tr = useMemo(() => translator(lang), [lang]);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [queued, setQueued] = useState(0);
  const [unreachable, setUnreachable] = useState(false);
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);
  const trRef = useRef(tr);
  trRef.current = tr;

  const report = useCallback((err: unknown) => {
    const text = describeError(err, trRef.current);
    setNotices((n) => [...n.slice(-2), { id: Date.now() + Math.random(), text }]);
  }, []);

  const services = useMemo<Services>(() => {
    const client = new Client({ fetch: window.fetch.bind(window), cookies: () => document.cookie });
    const outbox = new Outbox({
      client,
      storage: localStorage,
      onChange: setQueued,
      onRefused: (_p, err) => report(err),
    });
    return { client, outbox, report, offline: new OfflineStore(localStorage) };
  }, [report]);

  const refresh = useCallback(async () => {
    const { client, outbox, offline } = services;
    try {
      const m = await client.get<Me>('/v1/me');
      // Another person signed in on this browser: nothing of the last one's stays.
      if (offline.me()?.userId !== m.userId) offline.clear();
      offline.setMe(m);
      setMe(m);
      outbox.setUser(m.userId);
      void outbox.flush();
      setUnreachable(false);
    } catch (err) {
      if (err instanceof NetworkError) {
        // The server is unreachable, which says nothing about the session:
        // keep what we know (after a reload with no network, who was signed
        // in last) and ask again shortly.
        const kept = offline.me();
        if (kept) {
          setMe((m) => m ?? kept);
          outbox.setUser(kept.userId);
        }
        setUnreachable(true);
        window.setTimeout(() => void refreshRef.current(), 3000);
        return;
      }
      if (err instanceof ApiError && err.status === 401) offline.clear();
      setMe(null);
      outbox.setUser('');
    }
  }, [services]);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;

  useEffect(() => {
    void refresh();
    const online = () => void services.outbox.flush();
    addEventListener('online', online);
    return () => removeEventListener('online', online);
  }, [refresh, services]);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem(langKey, lang);
  }, [lang]);

  // A new page: move focus to its main region so keyboard and screen-reader
  // users start at the content, as after a full page load.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [route]);

  const logout = async () => {
    try {
      await services.client.request('DELETE', '/v1/sessions/current');
    } catch (err) {
      report(err);
    }
    services.outbox.clear();
    services.offline.clear();
    await refresh();
    navigate('/login');
  };

  return (
    <I18n.Provider value={tr}>
      <ServicesContext.Provider value={services}>
        <SessionContext.Provider value={{ me: me ?? null, refresh }}>
          <div class="shell" onClick={onLinkClick}>
            <a class="skip" href="#main">
              {tr.t('app.skip')}
            </a>
            <header class="top">
              <a class="brand" href="/">
                {tr.t('app.name')}
              </a>
              <nav aria-label={tr.t('app.mainNav')}>
                {me && !me.guest && <a href="/">{tr.t('app.home')}</a>}
              </nav>
              <div class="top-tools">
                <label class="lang">
                  <span class="sr-only">{tr.t('app.language')}</span>
                  <select value={lang} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
                    {languages.map((l) => (
                      <option value={l} key={l}>
                        {l === 'en' ? 'English' : 'Deutsch'}
                      </option>
                    ))}
                  </select>
                </label>
                {me && (
                  <span class="who">
                    <span class="who-name">{tr.t('auth.signedInAs', { name: me.name || me.email || '' })}</span>
                    <button type="button" class="link" onClick={logout}>
                      {tr.t('auth.logout')}
                    </button>
                  </span>
                )}
              </div>
            </header>
            {queued > 0 && (
              <p class="queued" role="status">
                {tr.tn('conn.queued', queued)}
              </p>
            )}
            <div class="notices" role="alert" aria-live="assertive">
              {notices.map((n) => (
                <p class="notice" key={n.id}>
                  <span>{n.text}</span>
                  <button type="button" class="link" onClick={() => setNotices((all) => all.filter((x) => x.id !== n.id))}>
                    {tr.t('error.dismiss')}
                  </button>
                </p>
              ))}
            </div>
            <main id="main" ref={mainRef} tabIndex={-1}>
              {me === undefined ? <p role="status">{unreachable ? tr.t('error.network') : tr.t('app.loading')}</p> : <Page route={route} me={me} />}
            </main>
          </div>
        </SessionContext.Provider>
      </ServicesContext.Provider>
    </I18n.Provider>
  );
}

function Page({ route, me }: { route: Route; me: Me | null }) {
  switch (route.page) {
    case 'login':
      return <Login next={route.next} />;
    case 'signup':
      return <Signup />;
    case 'join':
      return <Join code={route.code} />;
    case 'forgotPassword':
      return <ForgotPassword />;
    case 'resetPassword':
      return <ResetPassword />;
    case 'verifyEmail':
      return <VerifyEmail />;
    case 'guestLink':
      return <GuestLink />;
    case 'notFound':
      return <NotFound />;
  }
  if (!me) {
    return <Redirect to={`/login?next=${encodeURIComponent(location.pathname)}`} />;
  }
  switch (route.page) {
    case 'home':
      return me.guest && me.retroId ? <Redirect to={`/retros/${me.retroId}`} /> : <Home />;
    case 'team':
      return <Team teamId={route.teamId} />;
    case 'newRetro':
      return <NewRetro teamId={route.teamId} />;
    case 'teamDashboard':
      return <Lazy load={loadDashboards} render={(m) => <m.TeamDashboard teamId={route.teamId} />} />;
    case 'workspaceDashboard':
      return <Lazy load={loadDashboards} render={(m) => <m.WorkspaceDashboard workspaceId={route.workspaceId} />} />;
    case 'retro':
      return <RetroPage retroId={route.retroId} />;
    case 'archive':
      return <Archive retroId={route.retroId} />;
    case 'timeTravel':
      return <TimeTravel retroId={route.retroId} />;
    case 'survey':
      return <SurveyPage surveyId={route.surveyId} />;
    case 'board':
      return <LazyBoard boardId={route.boardId} me={me} />;
  }
}

// The dashboards and their charting library are a chunk of their own, loaded
// when one is opened, so the retro page never downloads them.
const loadDashboards = () => import('./dash');
type Dashboards = Awaited<ReturnType<typeof loadDashboards>>;

function Lazy({ load, render }: { load: () => Promise<Dashboards>; render: (m: Dashboards) => preact.ComponentChild }) {
  const { t } = useI18n();
  const [mod, setMod] = useState<Dashboards | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    load().then(
      (m) => live && setMod(m),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (failed) return <p role="alert">{t('error.network')}</p>;
  return mod ? <>{render(mod)}</> : <p>{t('app.loading')}</p>;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => {
    history.replaceState(null, '', to);
    dispatchEvent(new PopStateEvent('popstate'));
  }, [to]);
  return null;
}

function NotFound() {
  const { t } = useI18n();
  return <p>{t('app.notFound')}</p>;
}
