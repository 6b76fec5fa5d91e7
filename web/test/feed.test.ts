import { describe, expect, it } from 'vitest';
import type { LiveMessage } from '../src/api/types';
import { LiveFeed, type ConnState, type FeedDeps } from '../src/live/feed';

class FakeWS {
  static all: FakeWS[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason?: string }) => void) | null = null;
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
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
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

function setup(ws = true, extra: Partial<FeedDeps> = {}) {
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
    ...extra,
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
    expect(FakeWS.all[0]!.url).toBe('ws://h/v1/retros/r1/live?changes=patch');
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'snapshot', position: 7, view });
    FakeWS.all[0]!.msg({ type: 'change', position: 9, events: [], view });
    FakeWS.all[0]!.drop();
    expect(states.at(-1)).toBe('reconnecting');
    fire();
    expect(FakeWS.all[1]!.url).toBe('ws://h/v1/retros/r1/live?changes=patch&after=9');
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
    expect(FakeES.all[0]!.url).toBe('http://h/v1/retros/r1/live?changes=patch');
    expect(FakeES.all[0]!.init.withCredentials).toBe(true);
    FakeES.all[0]!.onopen!();
    FakeES.all[0]!.onmessage!({ data: JSON.stringify({ type: 'snapshot', position: 3, view }) });
    FakeES.all[0]!.onerror!();
    fire();
    expect(FakeES.all[1]!.url).toBe('http://h/v1/retros/r1/live?changes=patch&after=3');
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

  it('tells the page why the server ended the retro for everyone, from the close reason alone', () => {
    const { feed, states, msgs, fire } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.drop(1008, 'quick-retro-expired: this quick retro has ended');
    fire();
    expect(FakeWS.all).toHaveLength(1);
    expect(states.at(-1)).toBe('revoked');
    expect(msgs.at(-1)).toEqual({ type: 'revoked', code: 'quick-retro-expired' });
  });

  it('reconnects after the position a resume message names', () => {
    const { feed, fire } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'snapshot', position: 4, view });
    FakeWS.all[0]!.msg({ type: 'resume', after: 12 });
    fire();
    expect(FakeWS.all[1]!.url).toBe('ws://h/v1/retros/r1/live?changes=patch&after=12');
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

  it('applies each change’s patch to the view it holds and hands on the patched view', () => {
    const { feed, msgs } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'snapshot', position: 5, view: { retroId: 'r1', title: 'Sprint', cards: ['a'] } });
    FakeWS.all[0]!.msg({ type: 'change', position: 6, events: [], patch: [{ op: 'add', path: '/cards/1', value: 'b' }] });
    FakeWS.all[0]!.msg({ type: 'change', position: 7, events: [], patch: [{ op: 'replace', path: '/title', value: 'Retro' }] });
    const last = msgs.at(-1) as { view?: unknown };
    expect(last.view).toEqual({ retroId: 'r1', title: 'Retro', cards: ['a', 'b'] });
    // A change it had already (a resume overlapping the queue) is not applied twice.
    FakeWS.all[0]!.msg({ type: 'change', position: 6, events: [], patch: [{ op: 'add', path: '/cards/1', value: 'b' }] });
    expect(msgs).toHaveLength(3);
  });

  it('reconnects from the last position it holds a view of when a patch does not fit', () => {
    const { feed, msgs, fire } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'snapshot', position: 5, view: { retroId: 'r1', cards: [] } });
    FakeWS.all[0]!.msg({ type: 'change', position: 6, events: [], patch: [{ op: 'remove', path: '/cards/3' }] });
    expect(msgs).toHaveLength(1);
    fire();
    expect(FakeWS.all[1]!.url).toBe('ws://h/v1/retros/r1/live?changes=patch&after=5');
  });

  it('keeps the position of its view while a resume replays changes without one', () => {
    const { feed, fire } = setup();
    feed.start();
    FakeWS.all[0]!.open();
    FakeWS.all[0]!.msg({ type: 'snapshot', position: 5, view });
    FakeWS.all[0]!.drop();
    fire();
    FakeWS.all[1]!.open();
    FakeWS.all[1]!.msg({ type: 'change', position: 8, events: [] }); // replayed: no view, no patch
    FakeWS.all[1]!.drop(); // before the snapshot that ends the replay
    fire();
    expect(FakeWS.all[2]!.url).toBe('ws://h/v1/retros/r1/live?changes=patch&after=5');
  });

  it('stays with WebSockets when they fail only while the browser is offline', () => {
    let online = false;
    const { feed, fire } = setup(true, { online: () => online });
    feed.start();
    FakeWS.all[0]!.drop();
    fire();
    FakeWS.all[1]!.drop();
    fire();
    FakeWS.all[2]!.drop();
    online = true;
    fire();
    expect(FakeES.all).toHaveLength(0);
    expect(FakeWS.all).toHaveLength(4);
  });
});
