// The whiteboard page: an Automerge board (collab/README.md, "Board schema")
// drawn as SVG, synced with the stock automerge-repo over /v1/sync and kept in
// IndexedDB. Loaded on demand (app.tsx imports it dynamically), so Automerge
// and its wasm cost nothing on the other pages.
import type { AutomergeUrl, DocHandle } from '@automerge/automerge-repo/slim';
import { Automerge } from '@automerge/automerge-repo/slim';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Me } from '../api/types';
import { describeError } from '../api/problem';
import { useI18n, type MessageKey } from '../i18n';
import { useServices } from '../services';
import { memo } from '../ui/memo';
import { boardRepo, onSyncError } from './repo';
import { RevealNotice, saysNotesClosed, type RevealOutcome } from './RevealNotice';
import {
  colors, fieldsOf, History, newItem, newItemId, ordered, plainItem, plainItems, safeImageURL, schemaVersion, shapes, topZ,
  type BoardDoc, type Edit, type Item, type Kind,
} from './model';
import './board.css';

interface WhiteboardMeta {
  id: string;
  teamId: string;
  retroId?: string;
  title: string;
  archived: boolean;
  /** Concealed writing: '' (none), 'writing' (each person writes into a private document), 'revealed'. */
  phase?: '' | 'writing' | 'revealed';
  /** How many people opened private notes (that someone writes is not concealed). */
  writers?: number;
  /** The viewer starts and ends the writing phase. */
  moderator?: boolean;
}

type Tool = 'select' | 'note' | 'text' | 'shape' | 'frame' | 'draw' | 'connect';

interface View {
  x: number; // screen offset of board origin
  y: number;
  s: number; // zoom
}

/** What another person's page last said about itself (ephemeral, never stored). */
interface Peer {
  name: string;
  x: number;
  y: number;
  sel: string;
  at: number;
}

interface Presence {
  cursor: { x: number; y: number };
  sel: string;
  name: string;
}

const noItems: Record<string, Item> = {};

export default function BoardPage({ boardId, me }: { boardId: string; me: Me }) {
  const tr = useI18n();
  const { client } = useServices();
  const [handle, setHandle] = useState<DocHandle<BoardDoc> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [meta, setMeta] = useState<WhiteboardMeta | null>(null);
  // Whether this page may sign what it writes and show its person's name to
  // the others: not on a board of an anonymous retro, and not while that is
  // unknown (offline before the board's details arrived).
  const [named, setNamed] = useState(false);
  // The document the canvas shows: the board, or during its writing phase
  // the person's private notes (served to them alone until the reveal).
  const [docId, setDocId] = useState(boardId);
  const [metaRound, setMetaRound] = useState(0);
  const notesId = useRef<string | null>(null);
  // After the reveal: what it did (the moderator's answer), whether this page
  // showed its person's notes when the phase ended, and whether the sync
  // server said their notes document closed (edits after it stay here).
  const [outcome, setOutcome] = useState<RevealOutcome | null>(null);
  const [mineRevealed, setMineRevealed] = useState(false);
  const [notesClosed, setNotesClosed] = useState(false);

  useEffect(() => onSyncError((m) => saysNotesClosed(m) && setNotesClosed(true)), []);

  useEffect(() => {
    let live = true;
    client.get<WhiteboardMeta>(`/v1/whiteboards/${encodeURIComponent(boardId)}`).then(
      async (m) => {
        if (!live) return;
        setMeta(m);
        if (m.phase === 'writing') {
          notesId.current ??= (
            await client.request<{ id: string }>('POST', `/v1/whiteboards/${encodeURIComponent(boardId)}/notes`, undefined, {
              idempotencyKey: crypto.randomUUID(),
            })
          ).id;
          if (live) setDocId(notesId.current);
        } else {
          if (m.phase === 'revealed' && notesId.current) setMineRevealed(true);
          setDocId(boardId);
        }
        if (!m.retroId) return setNamed(true);
        const r = await client.get<{ anonymous: boolean }>(`/v1/retros/${encodeURIComponent(m.retroId)}`);
        if (live) setNamed(!r.anonymous);
      },
      () => {}, // offline: the board still opens from local storage
    );
    return () => {
      live = false;
    };
  }, [boardId, client, metaRound]);

  // Until the notes are revealed the page asks now and then where the
  // board's writing phase is: it starts and ends by the moderator's hand.
  useEffect(() => {
    if (!meta || meta.phase === 'revealed' || meta.archived) return;
    const t = window.setInterval(() => setMetaRound((n) => n + 1), 2000);
    return () => window.clearInterval(t);
  }, [meta?.phase, meta?.archived]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    let live = true;
    // Marks for the benchmark's breakdown of an open (e2e/board-bench.mjs).
    performance.mark('board:open');
    const url = `automerge:${docId}` as AutomergeUrl;
    boardRepo(me.userId)
      .then((r) => {
        performance.mark('board:repo');
        // The stock adapter calls the network ready after 1 s even while its
        // socket is still connecting; a board not stored here is then
        // "unavailable" with no peer asked. Ask once more with the server
        // there (it may have come meanwhile); its answer is the last word.
        return r.find<BoardDoc>(url).catch(async (e: unknown) => {
          if (!(e instanceof Error && /unavailable/i.test(e.message))) throw e;
          if (r.peers.length === 0) await new Promise((res) => r.networkSubsystem.once('peer', res));
          return r.find<BoardDoc>(url);
        });
      })
      .then(
        (h) => (performance.mark('board:doc'), live && setHandle(h)),
        (e: unknown) => live && setError(e),
      );
    return () => {
      live = false;
    };
  }, [docId, me.userId]);

  const phaseAction = async (action: 'writing' | 'reveal') => {
    const res = await client.request<{ notes?: RevealOutcome }>('POST', `/v1/whiteboards/${encodeURIComponent(boardId)}/${action}`, undefined, {
      idempotencyKey: crypto.randomUUID(),
    });
    if (action === 'reveal' && res?.notes) setOutcome(res.notes);
    setMetaRound((n) => n + 1);
  };

  if (error) {
    return (
      <div class="stack">
        <h1>{tr.t('wb.title')}</h1>
        <p role="alert">{error instanceof Error && /unavailable/i.test(error.message) ? tr.t('wb.unavailable') : describeError(error, tr)}</p>
      </div>
    );
  }
  if (!handle) return <p role="status">{tr.t('wb.opening')}</p>;
  const writing = meta?.phase === 'writing' && docId !== boardId;
  // In an anonymous retro nothing this page writes or sends names its person.
  return (
    <>
      {meta?.phase === 'writing' && (
        <div class="board-phase" role="status" data-testid="board-phase">
          <p>{tr.tn('wb.writing.on', meta.writers ?? 0)}</p>
          {meta.moderator && (
            <button type="button" onClick={() => void phaseAction('reveal').catch(setError)}>
              {tr.t('wb.writing.reveal')}
            </button>
          )}
        </div>
      )}
      <RevealNotice outcome={outcome} mine={mineRevealed} closed={notesClosed} />
      {meta?.moderator && !meta.phase && !meta.archived && (
        <div class="board-phase">
          <button type="button" onClick={() => void phaseAction('writing').catch(setError)}>
            {tr.t('wb.writing.start')}
          </button>
        </div>
      )}
      <Board
        key={handle.documentId}
        handle={handle}
        meta={meta}
        me={me}
        sign={named ? { id: me.userId, name: me.name || '' } : { id: '', name: '' }}
        mine={writing}
      />
    </>
  );
}

/** Who the page's items and cursor name: the person, or nobody on an anonymous retro's board. */
interface Signature {
  id: string;
  name: string;
}

function Board({ handle, meta, me, sign, mine }: { handle: DocHandle<BoardDoc>; meta: WhiteboardMeta | null; me: Me; sign: Signature; mine: boolean }) {
  const tr = useI18n();
  const [doc, setDoc] = useState<BoardDoc>(() => handle.doc() ?? {});
  const [tool, setTool] = useState<Tool>('select');
  const [sel, setSel] = useState('');
  const [editing, setEditing] = useState('');
  const [view, setView] = useState<View>({ x: 40, y: 40, s: 1 });
  const [drag, setDrag] = useState<{ id: string; x: number; y: number; w: number; h: number } | null>(null);
  const [stroke, setStroke] = useState<number[] | null>(null);
  const [connectFrom, setConnectFrom] = useState('');
  const [imageURL, setImageURL] = useState('');
  const [peers, setPeers] = useState<Record<string, Peer>>({});
  const [online, setOnline] = useState(false);
  const history = useRef(new History());
  const [, bump] = useState(0);
  const svgRef = useRef<SVGSVGElement>(null);
  const gesture = useRef<
    | { kind: 'move' | 'resize'; id: string; px: number; py: number; it: Item }
    | { kind: 'pan'; px: number; py: number; vx: number; vy: number }
    | { kind: 'draw'; ox: number; oy: number }
    | null
  >(null);

  useEffect(() => {
    const onChange = ({ doc }: { doc: BoardDoc }) => setDoc(doc);
    handle.on('change', onChange);
    setDoc(handle.doc() ?? {});
    const onEphemeral = ({ message, senderId }: { message: unknown; senderId: string }) => {
      const m = message as Partial<Presence> | null;
      if (!m || typeof m !== 'object' || !m.cursor) return;
      const p: Peer = {
        name: String(m.name ?? '').slice(0, 60), x: Number(m.cursor.x) || 0, y: Number(m.cursor.y) || 0,
        sel: typeof m.sel === 'string' ? m.sel : '', at: Date.now(),
      };
      setPeers((all) => ({ ...all, [senderId]: p }));
    };
    handle.on('ephemeral-message', onEphemeral);
    // Peers that stopped talking (left, closed the tab) fade out.
    const sweep = window.setInterval(() => {
      const cutoff = Date.now() - 15000;
      setPeers((all) => {
        const keep = Object.entries(all).filter(([, p]) => p.at > cutoff);
        return keep.length === Object.keys(all).length ? all : Object.fromEntries(keep);
      });
    }, 5000);
    return () => {
      handle.off('change', onChange);
      handle.off('ephemeral-message', onEphemeral);
      window.clearInterval(sweep);
    };
  }, [handle]);

  // Connection state from the repo's one network adapter.
  useEffect(() => {
    let live = true;
    void boardRepo(me.userId).then((repo) => {
      const update = () => live && setOnline(repo.peers.length > 0);
      update();
      repo.networkSubsystem.on('peer', update);
      repo.networkSubsystem.on('peer-disconnected', update);
    });
    return () => {
      live = false;
    };
  }, [me.userId]);

  const items = useMemo(() => plainItems(doc.items ?? noItems), [doc.items]);
  const list = useMemo(() => ordered(items), [items]);

  /** Applies edits to the document in one change; text fields are spliced, not replaced. */
  const apply = useCallback(
    (edits: Edit[]) => {
      handle.change((d) => {
        if (!d.items) d.items = {};
        if (d.schema === undefined) d.schema = schemaVersion;
        for (const e of edits) {
          if (e.after === null) {
            delete d.items[e.id];
            continue;
          }
          const cur = d.items[e.id];
          if (!cur) {
            // Only a creation (or the undo of a deletion) makes an item: an
            // edit of one someone else deleted meanwhile is dropped.
            if (e.before === null) d.items[e.id] = structuredClone(e.after) as Item;
            continue;
          }
          for (const [k, v] of Object.entries(e.after)) {
            if (k === 'text' && typeof cur.text === 'string' && typeof v === 'string') {
              Automerge.updateText(d, ['items', e.id, 'text'], v);
            } else if (v === undefined) {
              delete (cur as unknown as Record<string, unknown>)[k];
            } else {
              (cur as unknown as Record<string, unknown>)[k] = structuredClone(v);
            }
          }
        }
      });
    },
    [handle],
  );

  /** A change of mine: applied and remembered for undo. */
  const edit = useCallback(
    (edits: Edit[]) => {
      apply(edits);
      history.current.record(edits);
      bump((n) => n + 1);
    },
    [apply],
  );

  const update = useCallback(
    (id: string, change: Partial<Item>) => {
      const raw = (handle.doc()?.items ?? {})[id];
      if (!raw) return;
      const cur = plainItem(raw);
      edit([{ id, before: fieldsOf(cur, change), after: change }]);
    },
    [edit, handle],
  );

  const add = (it: Item) => {
    const id = newItemId();
    edit([{ id, before: null, after: it }]);
    setSel(id);
    return id;
  };

  const remove = (id: string) => {
    const all = handle.doc()?.items ?? {};
    const cur = all[id];
    if (!cur) return;
    // Connectors to the item go with it, in the same undo step.
    const edits: Edit[] = [{ id, before: structuredClone(plainItem(cur)), after: null }];
    for (const [cid, raw] of Object.entries(all)) {
      const c = plainItem(raw);
      if (c.kind === 'connector' && (c.from === id || c.to === id)) edits.push({ id: cid, before: structuredClone(c), after: null });
    }
    edit(edits);
    setSel('');
    setEditing('');
  };

  const undo = () => {
    const e = history.current.undo();
    if (e) apply(e);
    bump((n) => n + 1);
  };
  const redo = () => {
    const e = history.current.redo();
    if (e) apply(e);
    bump((n) => n + 1);
  };

  // Presence: my cursor and selection, at most every 50 ms.
  const lastSent = useRef(0);
  const cursor = useRef({ x: 0, y: 0 });
  const sendPresence = useCallback(
    (force = false) => {
      const now = Date.now();
      if (!force && now - lastSent.current < 50) return;
      lastSent.current = now;
      const m: Presence = { cursor: cursor.current, sel, name: sign.name };
      handle.broadcast(m);
    },
    [handle, sel, sign.name],
  );
  useEffect(() => sendPresence(true), [sel, sendPresence]);
  // Keep telling others we are here while idle, so our cursor does not fade.
  useEffect(() => {
    const t = window.setInterval(() => sendPresence(true), 5000);
    return () => window.clearInterval(t);
  }, [sendPresence]);

  const toBoard = (clientX: number, clientY: number) => {
    const r = svgRef.current!.getBoundingClientRect();
    return { x: (clientX - r.left - view.x) / view.s, y: (clientY - r.top - view.y) / view.s };
  };
  const centre = () => {
    const r = svgRef.current!.getBoundingClientRect();
    return { x: (r.width / 2 - view.x) / view.s, y: (r.height / 2 - view.y) / view.s };
  };

  const addKind = (kind: Kind, at: { x: number; y: number }, extra: Partial<Item> = {}) => {
    const id = add({ ...newItem(kind, at.x, at.y, topZ(handle.doc()?.items ?? {}) + 1, sign.id), ...extra });
    if (kind !== 'image') setEditing(id);
    setTool('select');
  };

  const choose = (id: string) => {
    if (tool === 'connect') {
      if (!connectFrom) {
        setConnectFrom(id);
        setSel(id);
        return;
      }
      if (connectFrom !== id) {
        add({ ...newItem('connector', 0, 0, topZ(items) + 1, sign.id), from: connectFrom, to: id, color: 'grey' });
      }
      setConnectFrom('');
      setTool('select');
      return;
    }
    setSel(id);
  };

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const target = e.target as Element;
    const p = toBoard(e.clientX, e.clientY);
    const adding = tool === 'note' || tool === 'text' || tool === 'shape' || tool === 'frame' || tool === 'draw';
    const itemEl = adding ? null : target.closest('[data-item]');
    const id = itemEl?.getAttribute('data-item') ?? '';
    if (editing && id === editing) return; // typing: the textarea handles the pointer
    svgRef.current!.setPointerCapture(e.pointerId);
    if (!adding && target.closest('[data-resize]') && sel) {
      const it = items[sel];
      if (it) gesture.current = { kind: 'resize', id: sel, px: p.x, py: p.y, it };
      return;
    }
    if (id) {
      choose(id);
      setEditing('');
      if (tool === 'select' || tool === 'connect') {
        const it = items[id];
        if (it && it.kind !== 'connector' && tool === 'select') gesture.current = { kind: 'move', id, px: p.x, py: p.y, it };
      }
      return;
    }
    setEditing('');
    switch (tool) {
      case 'note':
      case 'text':
      case 'shape':
      case 'frame':
        addKind(tool, p);
        return;
      case 'draw':
        gesture.current = { kind: 'draw', ox: p.x, oy: p.y };
        setStroke([0, 0]);
        return;
      default:
        setSel('');
        gesture.current = { kind: 'pan', px: e.clientX, py: e.clientY, vx: view.x, vy: view.y };
    }
  };

  const onPointerMove = (e: PointerEvent) => {
    const p = toBoard(e.clientX, e.clientY);
    cursor.current = { x: Math.round(p.x), y: Math.round(p.y) };
    sendPresence();
    const g = gesture.current;
    if (!g) return;
    switch (g.kind) {
      case 'move':
        setDrag({ id: g.id, x: Math.round(g.it.x + p.x - g.px), y: Math.round(g.it.y + p.y - g.py), w: g.it.w, h: g.it.h });
        return;
      case 'resize':
        setDrag({ id: g.id, x: g.it.x, y: g.it.y, w: Math.max(20, Math.round(g.it.w + p.x - g.px)), h: Math.max(20, Math.round(g.it.h + p.y - g.py)) });
        return;
      case 'pan':
        setView((v) => ({ ...v, x: g.vx + e.clientX - g.px, y: g.vy + e.clientY - g.py }));
        return;
      case 'draw':
        setStroke((s) => (s ? [...s, Math.round(p.x - g.ox), Math.round(p.y - g.oy)] : s));
    }
  };

  const onPointerUp = () => {
    const g = gesture.current;
    gesture.current = null;
    if (!g) return;
    if ((g.kind === 'move' || g.kind === 'resize') && drag && drag.id === g.id) {
      const change: Partial<Item> = g.kind === 'move' ? { x: drag.x, y: drag.y } : { w: drag.w, h: drag.h };
      if (change.x !== g.it.x || change.y !== g.it.y || change.w !== g.it.w || change.h !== g.it.h) update(g.id, change);
    }
    setDrag(null);
    if (g.kind === 'draw' && stroke && stroke.length >= 4) {
      const xs = stroke.filter((_, i) => i % 2 === 0);
      const ys = stroke.filter((_, i) => i % 2 === 1);
      const minX = Math.min(...xs), minY = Math.min(...ys);
      const points = stroke.map((v, i) => (i % 2 === 0 ? v - minX : v - minY));
      add({
        ...newItem('drawing', 0, 0, topZ(items) + 1, sign.id), x: Math.round(g.ox + minX), y: Math.round(g.oy + minY),
        w: Math.max(...xs) - minX, h: Math.max(...ys) - minY, points, color: 'blue',
      });
    }
    setStroke(null);
  };

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const r = svgRef.current!.getBoundingClientRect();
    const mx = e.clientX - r.left, my = e.clientY - r.top;
    setView((v) => {
      const s = Math.min(4, Math.max(0.1, v.s * Math.exp(-e.deltaY / 500)));
      return { s, x: mx - ((mx - v.x) * s) / v.s, y: my - ((my - v.y) * s) / v.s };
    });
  };
  useEffect(() => {
    const el = svgRef.current;
    if (!el) return;
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  const zoom = (f: number) =>
    setView((v) => {
      const r = svgRef.current!.getBoundingClientRect();
      const s = Math.min(4, Math.max(0.1, v.s * f));
      return { s, x: r.width / 2 - ((r.width / 2 - v.x) * s) / v.s, y: r.height / 2 - ((r.height / 2 - v.y) * s) / v.s };
    });

  const onKeyDown = (e: KeyboardEvent) => {
    const inText = (e.target as Element).closest('textarea, input, select');
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'z' && !inText) {
      e.preventDefault();
      if (e.shiftKey) redo();
      else undo();
      return;
    }
    if (mod && e.key.toLowerCase() === 'y' && !inText) {
      e.preventDefault();
      redo();
      return;
    }
    if (inText) {
      if (e.key === 'Escape') {
        setEditing('');
        (document.querySelector(`[data-item="${sel}"]`) as HTMLElement | null)?.focus();
      }
      return;
    }
    const it = sel ? items[sel] : undefined;
    const step = e.shiftKey ? 50 : 10;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      e.preventDefault();
      const [dx, dy] = moves[e.key]!;
      if (it && it.kind !== 'connector') update(sel, { x: it.x + dx, y: it.y + dy });
      else setView((v) => ({ ...v, x: v.x - dx * 2, y: v.y - dy * 2 }));
      return;
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && it) {
      e.preventDefault();
      remove(sel);
      return;
    }
    if (e.key === 'Enter' && sel && (e.target as Element).closest('[data-item]')) {
      e.preventDefault();
      if (tool === 'connect') choose(sel);
      else if (it && typeof it.text === 'string') setEditing(sel);
      return;
    }
    if (e.key === '+' || e.key === '=') zoom(1.25);
    if (e.key === '-') zoom(0.8);
  };

  const opsRef = useRef<ItemOps>(null as unknown as ItemOps);
  opsRef.current = {
    focus: setSel,
    text: (id, text) => apply([{ id, before: {}, after: { text } }]),
    current: (id) => handle.doc()?.items?.[id]?.text ?? '',
    textDone: (id, before, after) => {
      if (before !== after) history.current.record([{ id, before: { text: before }, after: { text: after } }]);
      bump((n) => n + 1);
    },
  };
  const itemOps = useMemo<ItemOps>(
    () => ({
      focus: (id) => opsRef.current.focus(id),
      text: (id, t) => opsRef.current.text(id, t),
      current: (id) => opsRef.current.current(id),
      textDone: (id, b, a) => opsRef.current.textDone(id, b, a),
    }),
    [],
  );

  const selected = sel ? items[sel] : undefined;
  const peerList = Object.entries(peers);
  const peerSel = useMemo(() => {
    const m: Record<string, string> = {};
    for (const [, p] of peerList) if (p.sel) m[p.sel] = p.name || tr.t('wb.someone');
    return m;
  }, [peers]); // eslint-disable-line react-hooks/exhaustive-deps

  const title = typeof doc.title === 'string' && doc.title ? doc.title : meta?.title ?? tr.t('wb.title');
  const toolButtons: [Tool, MessageKey][] = [
    ['select', 'wb.tool.select'], ['note', 'wb.tool.note'], ['text', 'wb.tool.text'], ['shape', 'wb.tool.shape'],
    ['frame', 'wb.tool.frame'], ['connect', 'wb.tool.connect'], ['draw', 'wb.tool.draw'],
  ];

  return (
    <div class="board-page" onKeyDown={onKeyDown}>
      <div class="board-head">
        <h1 class="board-title">{mine ? tr.t('wb.writing.title', { title }) : title}</h1>
        <span class={`board-conn ${online ? 'on' : 'off'}`} role="status" data-testid="board-conn">
          {online ? tr.t('wb.online') : tr.t('wb.offline')}
        </span>
        {meta?.retroId && <a href={`/retros/${meta.retroId}`}>{tr.t('wb.backToRetro')}</a>}
        {meta && !meta.retroId && <a href={`/teams/${meta.teamId}`}>{tr.t('wb.backToTeam')}</a>}
        {peerList.length > 0 && (
          <span class="board-peers" aria-label={tr.t('wb.here')}>
            {peerList.map(([id, p]) => (
              <span class="board-peer" key={id}>
                {p.name || tr.t('wb.someone')}
              </span>
            ))}
          </span>
        )}
      </div>
      <div class="board-tools" role="toolbar" aria-label={tr.t('wb.tools')}>
        {toolButtons.map(([t, key]) => (
          <button
            type="button"
            key={t}
            class={tool === t ? 'tool on' : 'tool'}
            aria-pressed={tool === t}
            onClick={() => {
              // By keyboard (no pointer to place it with): a new item goes to the middle of the view.
              if ((t === 'note' || t === 'text' || t === 'shape' || t === 'frame') && tool === t) {
                addKind(t, centre());
                return;
              }
              setTool(t);
              setConnectFrom(t === 'connect' && sel ? sel : '');
            }}
          >
            {tr.t(key)}
          </button>
        ))}
        <form
          class="board-image"
          onSubmit={(e) => {
            e.preventDefault();
            const u = safeImageURL(imageURL.trim());
            if (!u) return;
            addKind('image', centre(), { url: u });
            setImageURL('');
          }}
        >
          <label>
            <span class="sr-only">{tr.t('wb.imageURL')}</span>
            <input type="url" placeholder="https://…" value={imageURL} onInput={(e) => setImageURL((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="tool">
            {tr.t('wb.addImage')}
          </button>
        </form>
        <span class="board-sep" />
        <button type="button" class="tool" onClick={undo} disabled={!history.current.canUndo} title="Ctrl+Z">
          {tr.t('wb.undo')}
        </button>
        <button type="button" class="tool" onClick={redo} disabled={!history.current.canRedo} title="Ctrl+Shift+Z">
          {tr.t('wb.redo')}
        </button>
        <button type="button" class="tool" onClick={() => zoom(0.8)} aria-label={tr.t('wb.zoomOut')}>
          −
        </button>
        <span class="board-zoom">{Math.round(view.s * 100)}%</span>
        <button type="button" class="tool" onClick={() => zoom(1.25)} aria-label={tr.t('wb.zoomIn')}>
          +
        </button>
      </div>
      {selected && (
        <div class="board-props" role="group" aria-label={tr.t('wb.selection')}>
          <span>{tr.t(`wb.kind.${selected.kind}` as MessageKey)}</span>
          {selected.kind !== 'image' &&
            colors.map((c) => (
              <button
                type="button"
                key={c}
                class={`swatch c-${c}${selected.color === c ? ' on' : ''}`}
                aria-pressed={selected.color === c}
                aria-label={tr.t(`wb.color.${c}` as MessageKey)}
                onClick={() => update(sel, { color: c })}
              />
            ))}
          {selected.kind === 'shape' &&
            shapes.map((s) => (
              <button type="button" key={s} class={selected.shape === s ? 'tool on' : 'tool'} aria-pressed={selected.shape === s} onClick={() => update(sel, { shape: s })}>
                {tr.t(`wb.shape.${s}` as MessageKey)}
              </button>
            ))}
          {selected.kind !== 'connector' && selected.kind !== 'drawing' && (
            <>
              <button type="button" class="tool" onClick={() => update(sel, { w: Math.round(selected.w * 1.25), h: Math.round(selected.h * 1.25) })}>
                {tr.t('wb.bigger')}
              </button>
              <button type="button" class="tool" onClick={() => update(sel, { w: Math.max(20, Math.round(selected.w * 0.8)), h: Math.max(20, Math.round(selected.h * 0.8)) })}>
                {tr.t('wb.smaller')}
              </button>
              <button type="button" class="tool" onClick={() => update(sel, { z: topZ(items) + 1 })}>
                {tr.t('wb.toFront')}
              </button>
            </>
          )}
          {typeof selected.text === 'string' && (
            <button type="button" class="tool" onClick={() => setEditing(sel)}>
              {tr.t('wb.editText')}
            </button>
          )}
          <button type="button" class="tool danger" onClick={() => remove(sel)}>
            {tr.t('wb.delete')}
          </button>
        </div>
      )}
      <p class="sr-only" aria-live="polite">
        {tool === 'connect' ? (connectFrom ? tr.t('wb.connectTo') : tr.t('wb.connectFrom')) : ''}
      </p>
      <svg
        ref={svgRef}
        class={`board-canvas tool-${tool}`}
        role="application"
        aria-label={tr.t('wb.canvas')}
        aria-roledescription={tr.t('wb.canvasRole')}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onDblClick={(e) => {
          const id = (e.target as Element).closest('[data-item]')?.getAttribute('data-item');
          if (id && typeof items[id]?.text === 'string') setEditing(id);
        }}
      >
        <defs>
          <marker id="board-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
          </marker>
        </defs>
        <g transform={`translate(${view.x} ${view.y}) scale(${view.s})`}>
          {list.map(([id, it]) =>
            it.kind === 'connector' ? (
              <Connector key={id} id={id} it={it} a={place(items, drag, it.from)} b={place(items, drag, it.to)} selected={sel === id} />
            ) : (
              <ItemView
                key={id}
                id={id}
                it={it}
                at={drag && drag.id === id ? drag : null}
                selected={sel === id}
                editing={editing === id}
                peer={peerSel[id] ?? ''}
                label={itemLabel(tr.t(`wb.kind.${it.kind}` as MessageKey), it)}
                ops={itemOps}
              />
            ),
          )}
          {stroke && gesture.current?.kind === 'draw' && (
            <polyline class="stroke c-blue" points={pointsAttr(stroke, gesture.current.ox, gesture.current.oy)} />
          )}
          {Object.entries(peerSel).map(([id, name]) => {
            const b = place(items, drag, id);
            return b ? (
              <text key={`sel-${id}`} class="peer-label" x={b.x} y={b.y - 6} aria-hidden="true">
                {name}
              </text>
            ) : null;
          })}
          {peerList.map(([pid, p]) => (
            <g key={pid} class="peer-cursor" transform={`translate(${p.x} ${p.y}) scale(${1 / view.s})`} data-peer={p.name}>
              <path d="M0,0 L0,16 L4,12 L8,20 L10,19 L6,11 L12,11 z" />
              <text x="14" y="24">
                {p.name || tr.t('wb.someone')}
              </text>
            </g>
          ))}
        </g>
      </svg>
      <p class="muted board-help">{tr.t('wb.help')}</p>
    </div>
  );
}

function itemLabel(kind: string, it: Item): string {
  const t = typeof it.text === 'string' ? it.text.trim() : '';
  return t ? `${kind}: ${t.slice(0, 80)}` : kind;
}

function place(items: Record<string, Item>, drag: { id: string; x: number; y: number; w: number; h: number } | null, id?: string) {
  if (!id) return null;
  if (drag && drag.id === id) return drag;
  const it = items[id];
  return it ? { x: it.x, y: it.y, w: it.w, h: it.h } : null;
}

function pointsAttr(p: number[], ox: number, oy: number): string {
  const out: string[] = [];
  for (let i = 0; i + 1 < p.length; i += 2) out.push(`${p[i]! + ox},${p[i + 1]! + oy}`);
  return out.join(' ');
}

type Box = { x: number; y: number; w: number; h: number };

const Connector = memo(function Connector({ id, it, a, b, selected }: { id: string; it: Item; a: Box | null; b: Box | null; selected: boolean }) {
  if (!a || !b) return null; // an end was deleted: not drawn
  const [x1, y1] = edgePoint(a, b.x + b.w / 2, b.y + b.h / 2);
  const [x2, y2] = edgePoint(b, a.x + a.w / 2, a.y + a.h / 2);
  return (
    <g data-item={id} class={`connector c-${it.color}${selected ? ' selected' : ''}`}>
      <line x1={x1} y1={y1} x2={x2} y2={y2} class="hit" />
      <line x1={x1} y1={y1} x2={x2} y2={y2} marker-end="url(#board-arrow)" />
    </g>
  );
});

/** Where the line from a box's centre towards (tx, ty) leaves the box. */
function edgePoint(r: Box, tx: number, ty: number): [number, number] {
  const cx = r.x + r.w / 2, cy = r.y + r.h / 2;
  const dx = tx - cx, dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const s = Math.min(Math.abs(r.w / 2 / (dx || 1e-9)), Math.abs(r.h / 2 / (dy || 1e-9)));
  return [cx + dx * Math.min(s, 1), cy + dy * Math.min(s, 1)];
}

/** What an item may do to the board; one object for all items, so that
 * memoized items re-render only when their own props change. */
interface ItemOps {
  focus(id: string): void;
  text(id: string, text: string): void;
  current(id: string): string;
  textDone(id: string, before: string, after: string): void;
}

interface ItemProps {
  id: string;
  it: Item;
  at: Box | null;
  selected: boolean;
  editing: boolean;
  peer: string;
  label: string;
  ops: ItemOps;
}

const ItemView = memo(function ItemView(p: ItemProps) {
  const { id, it } = p;
  const b = p.at ?? it;
  const cls = `item k-${it.kind} c-${it.color}${p.selected ? ' selected' : ''}${p.peer ? ' peer-selected' : ''}`;
  let body;
  switch (it.kind) {
    case 'drawing':
      body = <polyline class={`stroke c-${it.color}`} points={pointsAttr(it.points ?? [], b.x, b.y)} />;
      break;
    case 'image': {
      const u = safeImageURL(it.url ?? '');
      body = u ? <image href={u} x={b.x} y={b.y} width={b.w} height={b.h} preserveAspectRatio="xMidYMid meet" /> : <rect class="shape-body" x={b.x} y={b.y} width={b.w} height={b.h} />;
      break;
    }
    case 'shape':
      body =
        it.shape === 'ellipse' ? (
          <ellipse class="shape-body" cx={b.x + b.w / 2} cy={b.y + b.h / 2} rx={b.w / 2} ry={b.h / 2} />
        ) : it.shape === 'diamond' ? (
          <polygon class="shape-body" points={`${b.x + b.w / 2},${b.y} ${b.x + b.w},${b.y + b.h / 2} ${b.x + b.w / 2},${b.y + b.h} ${b.x},${b.y + b.h / 2}`} />
        ) : (
          <rect class="shape-body" x={b.x} y={b.y} width={b.w} height={b.h} rx="4" />
        );
      break;
    case 'text':
      body = <rect class="text-body" x={b.x} y={b.y} width={b.w} height={b.h} />;
      break;
    default:
      body = <rect class="shape-body" x={b.x} y={b.y} width={b.w} height={b.h} rx={it.kind === 'note' ? 2 : 6} />;
  }
  return (
    <g
      data-item={id}
      class={cls}
      tabindex={0}
      role="button"
      aria-label={p.peer ? `${p.label} (${p.peer})` : p.label}
      aria-pressed={p.selected}
      onFocus={() => p.ops.focus(id)}
    >
      {body}
      {typeof it.text === 'string' && (
        <foreignObject x={b.x} y={b.y} width={Math.max(b.w, 1)} height={Math.max(b.h, 1)}>
          {p.editing ? (
            <TextEditor
              value={it.text}
              label={p.label}
              onText={(t) => p.ops.text(id, t)}
              current={() => p.ops.current(id)}
              onDone={(b, a) => p.ops.textDone(id, b, a)}
            />
          ) : (
            <div class={`item-text k-${it.kind}`}>{it.text}</div>
          )}
        </foreignObject>
      )}
      {p.selected && it.kind !== 'drawing' && <rect data-resize="1" class="resize" x={b.x + b.w - 6} y={b.y + b.h - 6} width="12" height="12" />}
    </g>
  );
});

/** A textarea on the item: each keystroke is spliced into the shared text,
 * so two people typing in one note keep each other's letters. */
function TextEditor({ value, label, onText, current, onDone }: {
  value: string; label: string; onText: (t: string) => void; current: () => string; onDone: (before: string, after: string) => void;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const start = useRef(value);
  const last = useRef(value);
  useEffect(() => {
    const el = ref.current;
    if (el) {
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length); // go on writing at the end
    }
    return () => onDone(start.current, last.current);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  // Others' typing arrives as a new value. A render may lag behind our own
  // keystrokes, so compare with the document as it is now, which already
  // holds every letter typed here, and keep the caret where it was.
  useEffect(() => {
    const el = ref.current;
    const now = current();
    if (el && el.value !== now) {
      const pos = el.selectionStart;
      el.value = now;
      el.setSelectionRange(pos, pos);
    }
    last.current = now;
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <textarea
      ref={ref}
      {...{ xmlns: 'http://www.w3.org/1999/xhtml' }}
      class="item-edit"
      aria-label={label}
      defaultValue={value}
      onInput={(e) => {
        const v = (e.currentTarget as HTMLTextAreaElement).value;
        last.current = v;
        onText(v);
      }}
    />
  );
}
