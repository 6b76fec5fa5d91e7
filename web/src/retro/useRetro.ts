import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { LiveMessage, RetroView } from '../api/types';
import { LiveFeed, type ConnState, type Transport } from '../live/feed';
import type { Outcome, Pending } from '../live/outbox';
import { useServices, useSession } from '../services';

export interface Presence {
  here: string[];
  typingCount: number;
}

export interface RetroState {
  view: RetroView | null;
  presence: Presence;
  conn: ConnState;
  transport: Transport;
  /** Sends a command through the outbox; refusals are reported to the person. */
  send: (method: string, path: string, body?: unknown) => Promise<Outcome | null>;
  /** Tells the others this person is typing (a count in anonymous retros). */
  typing: (on: boolean) => void;
  names: Map<string, string>;
  /** This person's commands for this retro not yet acknowledged (offline), oldest first. */
  pending: Pending[];
  /** The view shown is the one kept from the last visit: the feed has not answered yet. */
  stale: boolean;
  /** Why the server ended the feed for everyone (a problem code such as quick-retro-expired), if it said. */
  endCode?: string | undefined;
}

/**
 * How long the kept view may lag the shown one. A save serialises the whole
 * view (~50 KB for 200 cards) and writes it to localStorage, on the page's
 * main thread; every 500 ms that was a tenth of what a page spent per
 * arriving card while a retro is busy (BENCHMARKS.md, "Propagation"). The
 * last view is kept anyway when the page is hidden or goes away.
 */
const keepEveryMs = 5000;

function feedOrigin(): { ws: string; http: string } {
  const ws = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { ws: `${ws}//${location.host}`, http: location.origin };
}

/** Follows a retro live and sends its commands. */
export function useRetro(retroId: string): RetroState {
  const { client, outbox, report, offline } = useServices();
  const { me } = useSession();
  const userId = me?.userId ?? '';
  // Until the feed's snapshot arrives, the view kept from the last visit:
  // a reload with no network still shows the retro.
  const [kept] = useState(() => (userId ? offline.retro(userId, retroId) : null));
  const [view, setView] = useState<RetroView | null>(kept?.view ?? null);
  const [stale, setStale] = useState(kept !== null);
  const [presence, setPresence] = useState<Presence>({ here: [], typingCount: 0 });
  const [conn, setConn] = useState<ConnState>('connecting');
  const [transport, setTransport] = useState<Transport>('ws');
  const [endCode, setEndCode] = useState<string | undefined>(undefined);
  const feedRef = useRef<LiveFeed | null>(null);

  useEffect(() => {
    const feed = new LiveFeed(
      retroId,
      {
        WebSocket: window.WebSocket,
        EventSource: window.EventSource,
        origin: feedOrigin(),
        setTimeout: (fn, ms) => window.setTimeout(fn, ms),
        clearTimeout: (h) => window.clearTimeout(h as number),
        online: () => navigator.onLine,
      },
      {
        onMessage: (m: LiveMessage) => {
          if ((m.type === 'snapshot' || m.type === 'change') && m.view) {
            setView(m.view);
            setStale(false);
          }
          if (m.type === 'revoked' && m.code) setEndCode(m.code);
          if (m.type === 'presence') setPresence({ here: m.here ?? [], typingCount: m.typingCount ?? (m.typing ?? []).length });
        },
        onState: (s, tp) => {
          setConn(s);
          setTransport(tp);
          // Back online: send what was made offline, in order, once.
          if (s === 'live') void outbox.flush();
        },
      },
    );
    feedRef.current = feed;
    feed.start();
    const online = () => feed.retryNow();
    addEventListener('online', online);
    return () => {
      removeEventListener('online', online);
      feed.stop();
      feedRef.current = null;
    };
  }, [retroId, outbox]);

  // Display names of the people this person's view names, from the server
  // (a guest gets the participants'); fetched again when someone joins.
  const people = (view?.participants ?? []).map((p) => p.userId).join(',');
  const [names, setNames] = useState<Map<string, string>>(() => new Map(Object.entries(kept?.names ?? {})));
  useEffect(() => {
    if (!people) return;
    let live = true;
    client.get<Record<string, string>>(`/v1/retros/${encodeURIComponent(retroId)}/names`).then(
      (n) => live && setNames(new Map(Object.entries(n ?? {}))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [retroId, people, client]);

  // Keep the latest view for a reload with no network, at most every
  // keepEveryMs, and the last one when the page goes away.
  const latest = useRef({ view, names });
  latest.current = { view, names };
  const keepTimer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!userId || !view || stale || keepTimer.current !== undefined) return;
    keepTimer.current = window.setTimeout(() => {
      keepTimer.current = undefined;
      const l = latest.current;
      if (l.view) offline.keepRetro(userId, l.view, l.names);
    }, keepEveryMs);
  }, [view, names, stale, userId, offline]);
  useEffect(() => {
    const keepNow = () => {
      const l = latest.current;
      if (userId && l.view && keepTimer.current !== undefined) offline.keepRetro(userId, l.view, l.names);
    };
    // A phone may discard a hidden page without a pagehide.
    const hidden = () => {
      if (document.visibilityState === 'hidden') keepNow();
    };
    addEventListener('pagehide', keepNow);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      removeEventListener('pagehide', keepNow);
      document.removeEventListener('visibilitychange', hidden);
      keepNow();
      window.clearTimeout(keepTimer.current);
      keepTimer.current = undefined;
    };
  }, [userId, offline]);

  // What this person made for this retro that the server has not yet acknowledged.
  const prefix = `/v1/retros/${encodeURIComponent(retroId)}/`;
  const unsent = useCallback(() => outbox.pending().filter((p) => p.path.startsWith(prefix)), [outbox, prefix]);
  const [pending, setPending] = useState<Pending[]>(unsent);
  useEffect(() => {
    setPending(unsent());
    return outbox.subscribe(() => setPending(unsent()));
  }, [outbox, unsent]);

  const send = useCallback(
    async (method: string, path: string, body?: unknown) => {
      try {
        return await outbox.submit(method, `/v1/retros/${encodeURIComponent(retroId)}${path}`, body);
      } catch (err) {
        report(err);
        return null;
      }
    },
    [outbox, retroId, report],
  );

  const typingTimer = useRef<number | undefined>(undefined);
  const typing = useCallback((on: boolean) => {
    const feed = feedRef.current;
    if (!feed) return;
    window.clearTimeout(typingTimer.current);
    feed.setPresence({ typing: on });
    if (on) typingTimer.current = window.setTimeout(() => feed.setPresence({ typing: false }), 4000);
  }, []);

  return { view, presence, conn, transport, send, typing, names, pending, stale, endCode };
}
