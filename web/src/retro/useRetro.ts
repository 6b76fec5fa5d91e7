import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { LiveMessage, RetroView } from '../api/types';
import { LiveFeed, type ConnState, type Transport } from '../live/feed';
import type { Outcome } from '../live/outbox';
import { useServices } from '../services';

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
}

function feedOrigin(): { ws: string; http: string } {
  const ws = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { ws: `${ws}//${location.host}`, http: location.origin };
}

/** Follows a retro live and sends its commands. */
export function useRetro(retroId: string): RetroState {
  const { client, outbox, report } = useServices();
  const [view, setView] = useState<RetroView | null>(null);
  const [presence, setPresence] = useState<Presence>({ here: [], typingCount: 0 });
  const [conn, setConn] = useState<ConnState>('connecting');
  const [transport, setTransport] = useState<Transport>('ws');
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
      },
      {
        onMessage: (m: LiveMessage) => {
          if ((m.type === 'snapshot' || m.type === 'change') && m.view) setView(m.view);
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
  const [names, setNames] = useState<Map<string, string>>(() => new Map());
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

  return { view, presence, conn, transport, send, typing, names };
}
