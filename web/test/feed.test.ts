import { describe, expect, it } from 'vitest';
import type { LiveMessage } from '../src/api/types';
import { LiveFeed, type ConnState, type FeedDeps } from '../src/live/feed';

class FakeWS {
  static all: FakeWS[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  send(s: string) {
    this.sent.push(s);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  msg(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

class FakeES {
  static all: FakeES[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string, readonly init: { withCredentials: boolean }) {
    FakeES.all.push(this);
  }
  close() {
    this.closed = true;
  }
}

function setup(ws = true) {
  FakeWS.all = [];
  FakeES.all = [];
  const timers: (() => void)[] = [];
  const msgs: LiveMessage[] = [];
  const states: ConnState[] = [];
  const deps: FeedDeps = {
    WebSocket: ws ? (FakeWS as unknown as typeof WebSocket) : undefined,
    EventSource: FakeES as unknown as typeof EventSource,
    origin: { ws: 'ws://h', http: 'http://h' },
    setTimeout: (fn) => timers.push(fn),
    clearTimeout: () => {},
  };
  const feed = new LiveFeed('r1', deps, { onMessage: (m) => msgs.push(m), onState: (s) => states.push(s) });
  const fire = () => timers.splice(0).forEach((f) => f());
  return { feed, msgs, states, fire };
}

const view = { retroId: 'r1' };

describe('LiveFeed', () => {
  it('resumes after the last position it received when the connection drops', () => {
    const { feed, msgs, states, fire } = setup();
    feed.start();
    expect(FakeWS.all[0]!.url).toBe('ws://h/v1/retros/r1/live');
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'snapshot', position: 7, view });
    FakeWS.all[0]!.msg({ type: 'change', position: 9, events: [], view });
    FakeWS.all[0]!.drop();
    expect(states.at(-1)).toBe('reconnecting');
    fire();
    expect(FakeWS.all[1]!.url).toBe('ws://h/v1/retros/r1/live?after=9');
    FakeWS.all[1]!.open();
    expect(states.at(-1)).toBe('live');
    expect(msgs.map((m) => m.type)).toEqual(['snapshot', 'change']);
  });

  it('falls back to Server-Sent Events when WebSockets never open', () => {
    const { feed, states, fire } = setup();
    feed.start();
    FakeWS.all[0]!.drop();
    fire();
    FakeWS.all[1]!.drop();
    fire();
    expect(FakeWS.all).toHaveLength(2);
    expect(FakeES.all).toHaveLength(1);
    expect(FakeES.all[0]!.url).toBe('http://h/v1/retros/r1/live');
    expect(FakeES.all[0]!.init.withCredentials).toBe(true);
    FakeES.all[0]!.onopen!();
    FakeES.all[0]!.onmessage!({ data: JSON.stringify({ type: 'snapshot', position: 3, view }) });
    FakeES.all[0]!.onerror!();
    fire();
    expect(FakeES.all[1]!.url).toBe('http://h/v1/retros/r1/live?after=3');
    expect(states).toContain('live');
  });

  it('uses SSE at once where the browser has no WebSocket', () => {
    const { feed } = setup(false);
    feed.start();
    expect(FakeES.all).toHaveLength(1);
  });

  it('stops for good when access is revoked', () => {
    const { feed, states, fire } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'revoked' });
    FakeWS.all[0]!.drop(1008);
    fire();
    expect(FakeWS.all).toHaveLength(1);
    expect(states.at(-1)).toBe('revoked');
  });

  it('reconnects after the position a resume message names', () => {
    const { feed, fire } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'snapshot', position: 4, view });
    FakeWS.all[0]!.msg({ type: 'resume', after: 12 });
    fire();
    expect(FakeWS.all[1]!.url).toBe('ws://h/v1/retros/r1/live?after=12');
  });

  it('reports typing over the WebSocket, also after a reconnect', () => {
    const { feed, fire } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    feed.setPresence({ typing: true });
    expect(JSON.parse(FakeWS.all[0]!.sent[0]!)).toEqual({ type: 'presence', typing: true, done: false });
    FakeWS.all[0]!.drop();
    fire();
    FakeWS.all[1]!.open();
    expect(JSON.parse(FakeWS.all[1]!.sent[0]!)).toEqual({ type: 'presence', typing: true, done: false });
  });
});
