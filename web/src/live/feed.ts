import type { LiveMessage, RetroView } from '../api/types';
import { applyPatch, PatchError } from './patch';

export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'revoked' | 'closed';
export type Transport = 'ws' | 'sse';

/** The parts of the browser the feed uses, passed in so tests drive them. */
export interface FeedDeps {
  WebSocket: typeof WebSocket | undefined;
  EventSource: typeof EventSource | undefined;
  /** ws(s)://host or http(s)://host of the server. */
  origin: { ws: string; http: string };
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  /** Whether the browser thinks it has a network (navigator.onLine); absent means yes. */
  online?: () => boolean;
}

export interface FeedHandlers {
  onMessage: (m: LiveMessage) => void;
  onState: (s: ConnState, transport: Transport) => void;
}

/** WebSocket attempts that fail before opening, in a row, before SSE is tried. */
const wsFailuresBeforeSSE = 2;
const maxBackoffMs = 10_000;

/**
 * LiveFeed follows one retro: a WebSocket, or Server-Sent Events where
 * WebSockets are blocked. It remembers the position of the last message and
 * reconnects with ?after=<position>, so a reconnect misses nothing and
 * repeats nothing. The session cookie authenticates both transports.
 */
export class LiveFeed {
  /** The position of the last message whose view this feed holds. */
  private position = 0;
  private ws: WebSocket | null = null;
  private es: EventSource | null = null;
  private transport: Transport = 'ws';
  private wsFailures = 0;
  private attempt = 0;
  private timer: unknown = null;
  private stopped = false;
  private state: ConnState = 'connecting';
  private presence = { typing: false, done: false };
  /** The view as of position: the last snapshot with every patch since applied. */
  private view: RetroView | null = null;

  constructor(private readonly retroId: string, private readonly deps: FeedDeps, private readonly h: FeedHandlers) {
    if (!deps.WebSocket) this.transport = 'sse';
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.deps.clearTimeout(this.timer);
    this.ws?.close(1000);
    this.es?.close();
    this.ws = null;
    this.es = null;
    this.setState('closed');
  }

  /** Reconnect now (the browser says it is online again). */
  retryNow(): void {
    if (this.stopped || this.state === 'live' || this.state === 'revoked') return;
    this.deps.clearTimeout(this.timer);
    this.connect();
  }

  get lastPosition(): number {
    return this.position;
  }

  /** Reports typing/done to the others (WebSocket only: SSE is one-way). */
  setPresence(p: { typing?: boolean; done?: boolean }): void {
    this.presence = { ...this.presence, ...p };
    this.sendPresence();
  }

  private sendPresence(): void {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify({ type: 'presence', ...this.presence }));
    }
  }

  private url(base: string): string {
    // Changes come as JSON Patches of the view this feed holds: a card
    // written costs a few hundred bytes, not the whole board, and the
    // parts of the view it does not touch keep their identity.
    const q = this.position > 0 ? `&after=${this.position}` : '';
    return `${base}/v1/retros/${encodeURIComponent(this.retroId)}/live?changes=patch${q}`;
  }

  private connect(): void {
    this.ws?.close();
    this.es?.close();
    this.ws = null;
    this.es = null;
    if (this.transport === 'ws' && this.deps.WebSocket) this.connectWS(this.deps.WebSocket);
    else if (this.deps.EventSource) this.connectSSE(this.deps.EventSource);
  }

  private connectWS(WS: typeof WebSocket): void {
    let opened = false;
    const ws = new WS(this.url(this.deps.origin.ws));
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.wsFailures = 0;
      this.attempt = 0;
      this.setState('live');
      if (this.presence.typing || this.presence.done) this.sendPresence();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.receive(ev.data);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped || this.state === 'revoked') return;
      if (ev.code === 1008) {
        this.setState('revoked');
        // The close reason starts with the problem's code ("quick-retro-expired: …")
        // when the server ended the retro for everyone; the page words it.
        const code = /^([a-z][a-z-]*):/.exec(ev.reason ?? '')?.[1];
        if (code) this.h.onMessage({ type: 'revoked', code });
        return;
      }
      // A WebSocket that fails while the browser is offline says nothing
      // about WebSockets being blocked: only failures online count.
      const online = this.deps.online?.() ?? true;
      if (!opened && online && ++this.wsFailures >= wsFailuresBeforeSSE && this.deps.EventSource) this.transport = 'sse';
      this.scheduleReconnect();
    };
  }

  private connectSSE(ES: typeof EventSource): void {
    const es = new ES(this.url(this.deps.origin.http), { withCredentials: true });
    this.es = es;
    es.onopen = () => {
      this.attempt = 0;
      this.setState('live');
    };
    es.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.receive(ev.data);
    };
    es.onerror = () => {
      if (this.es !== es) return;
      // EventSource would reconnect by itself, but with its own Last-Event-ID
      // and no backoff; reconnect ourselves with the position we hold.
      es.close();
      this.es = null;
      if (!this.stopped && this.state !== 'revoked') this.scheduleReconnect();
    };
  }

  private receive(raw: string): void {
    let m: LiveMessage;
    try {
      m = JSON.parse(raw) as LiveMessage;
    } catch {
      return;
    }
    switch (m.type) {
      case 'snapshot':
        // The snapshot resets both: its view is the one at its position.
        if (typeof m.position === 'number') this.position = m.position;
        this.view = m.view ?? null;
        break;
      case 'change': {
        if (typeof m.position !== 'number' || m.position <= this.position) return; // had it already
        if (m.patch) {
          if (!this.view) return this.resync();
          try {
            this.view = applyPatch(this.view, m.patch);
          } catch (err) {
            if (err instanceof PatchError) return this.resync();
            throw err;
          }
          m = { ...m, view: this.view };
        } else if (m.view) {
          this.view = m.view;
        } else {
          // Replayed on resume: neither view nor patch. The position stays
          // that of the view held, so a reconnect before the snapshot that
          // follows the replay asks for the replay again, not for patches
          // against a view this feed does not have.
          break;
        }
        this.position = m.position;
        break;
      }
      case 'resume':
        // The server dropped us for being slow; continue after what we have.
        if (m.after > this.position) this.position = m.after;
        this.h.onMessage(m);
        this.ws?.close();
        this.es?.close();
        this.ws = null;
        this.es = null;
        this.scheduleReconnect(0);
        return;
      case 'revoked':
        this.setState('revoked');
        this.h.onMessage(m);
        this.ws?.close();
        this.es?.close();
        return;
    }
    this.h.onMessage(m);
  }

  /**
   * The view no longer matches the feed (a patch did not fit): reconnect
   * from the last position whose view is known; the server then sends the
   * commits since and a fresh snapshot.
   */
  private resync(): void {
    this.ws?.close();
    this.es?.close();
    this.ws = null;
    this.es = null;
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(delay?: number): void {
    this.setState('reconnecting');
    const ms = delay ?? Math.min(maxBackoffMs, 500 * 2 ** Math.min(this.attempt, 5));
    this.attempt++;
    this.deps.clearTimeout(this.timer);
    this.timer = this.deps.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, ms);
  }

  private setState(s: ConnState): void {
    if (this.state === 'revoked' && s !== 'closed') return;
    this.state = s;
    this.h.onState(s, this.transport);
  }
}
