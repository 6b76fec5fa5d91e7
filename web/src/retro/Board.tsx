import { memo } from '../ui/memo';
import { useMemo, useState } from 'preact/hooks';
import type { CardView, ColumnView, RetroView } from '../api/types';
import { useI18n } from '../i18n';
import type { Pending } from '../live/outbox';
import type { RetroState } from './useRetro';
import { personName } from './names';

interface BoardProps {
  view: RetroView;
  retro: RetroState;
  /** Collect: write cards; afterwards the board is read-only. */
  writable: boolean;
}

/**
 * What every column and card needs from the retro, one object that keeps
 * its identity while none of it changes: with the feed's patches, a column
 * or card whose view did not change keeps its identity too, so a change
 * re-renders only the column and card it touched (memo compares props).
 */
interface BoardCtx {
  send: RetroState['send'];
  typing: RetroState['typing'];
  nameOf: (userId: string) => string;
  moderator: boolean;
  closed: boolean;
  anonymous: boolean;
}

/** Cards in columns: own cards editable, others' concealed ones as placeholders. */
export function Board({ view, retro, writable }: BoardProps) {
  const tr = useI18n();
  const { send, typing, names } = retro;
  const { you, participants, closed, anonymous } = view;
  const ctx = useMemo<BoardCtx>(
    () => ({
      send,
      typing,
      nameOf: (id) => personName(id, { you, participants }, names, tr),
      moderator: you.moderator,
      closed,
      anonymous,
    }),
    [send, typing, names, tr, you, participants, closed, anonymous],
  );
  const canWrite = writable && you.participant && !closed;
  const unsent = useMemo(() => unsentCards(retro.pending), [retro.pending]);
  return (
    <section class="board" aria-label={tr.t('board.columns')}>
      {(view.columns ?? []).map((col) => (
        <Column key={col.id} col={col} ctx={ctx} writable={canWrite} unsent={unsent.get(col.id) ?? noText} />
      ))}
      {retro.presence.typingCount > 0 && (
        <p class="typing" role="status">
          {tr.tn('retro.typing', retro.presence.typingCount)}
        </p>
      )}
    </section>
  );
}

const noText: string[] = [];

/** The texts of cards this person wrote that are still queued (offline), by column. */
function unsentCards(pending: Pending[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of pending) {
    const b = p.body as { columnId?: unknown; text?: unknown } | undefined;
    if (p.method !== 'POST' || !p.path.endsWith('/cards') || typeof b?.columnId !== 'string' || typeof b.text !== 'string') continue;
    out.set(b.columnId, [...(out.get(b.columnId) ?? []), b.text]);
  }
  return out;
}

interface ColumnProps {
  col: ColumnView;
  ctx: BoardCtx;
  writable: boolean;
  /** Cards written here that wait in the outbox. */
  unsent: string[];
}

const Column = memo(function Column({ col, ctx, writable, unsent }: ColumnProps) {
  const tr = useI18n();
  const [text, setText] = useState('');
  const cards = col.cards ?? [];
  const visible = cards.filter((c) => !c.concealed || c.mine);
  const hidden = cards.length - visible.length;
  const headId = `col-${col.id}`;
  const add = async (e: Event) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    setText('');
    ctx.typing(false);
    await ctx.send('POST', '/cards', { columnId: col.id, text: t });
  };
  return (
    <section class="column" aria-labelledby={headId}>
      <header class="column-head">
        <h3 id={headId}>{col.title}</h3>
        {col.prompt && <p class="muted">{col.prompt}</p>}
        <p class="muted small">{col.revealed ? tr.t('board.revealed') : tr.t('board.hidden')}</p>
        {ctx.moderator && !col.revealed && !ctx.closed && (
          <button
            type="button"
            class="secondary"
            aria-label={tr.t('board.revealNamed', { column: col.title })}
            onClick={() => ctx.send('POST', `/columns/${encodeURIComponent(col.id)}/reveal`)}
          >
            {tr.t('board.reveal')}
          </button>
        )}
      </header>
      {/* Its own scroller on a wide screen (app.css): focusable, so a
          keyboard scrolls it even when no card in it has a button. */}
      <ul class="cards column-cards" tabIndex={0} aria-labelledby={headId}>
        {visible.map((c) => (
          <Card key={c.id} card={c} ctx={ctx} editable={writable && !!c.mine} />
        ))}
        {waiting(unsent, visible).map((t, i) => (
          <li key={`unsent-${i}`} class="card-item mine unsent">
            <p class="card-text">{t}</p>
            <p class="card-meta small muted">{tr.t('offline.unsentCard')}</p>
          </li>
        ))}
        {hidden > 0 && (
          <li class="card-item concealed" aria-label={tr.tn('board.concealedCount', hidden)}>
            {Array.from({ length: hidden }, (_, i) => (
              <span key={i} class="placeholder" aria-hidden="true" />
            ))}
            <span class="muted small">{tr.tn('board.concealedCount', hidden)}</span>
          </li>
        )}
        {cards.length === 0 && unsent.length === 0 && <li class="muted small">{tr.t('board.empty')}</li>}
      </ul>
      {writable && (
        <form class="add-card" onSubmit={add}>
          <label for={`new-${col.id}`} class="sr-only">
            {tr.t('board.cardText', { column: col.title })}
          </label>
          <textarea
            id={`new-${col.id}`}
            rows={2}
            maxLength={2000}
            value={text}
            onInput={(e) => {
              setText((e.currentTarget as HTMLTextAreaElement).value);
              ctx.typing(true);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                void add(e);
              }
            }}
          />
          <button type="submit" aria-label={tr.t('board.addNamed', { column: col.title })}>
            {tr.t('board.add')}
          </button>
        </form>
      )}
    </section>
  );
});

const Card = memo(function Card({ card, ctx, editable }: { card: CardView; ctx: BoardCtx; editable: boolean }) {
  const tr = useI18n();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(card.text ?? '');
  const path = `/cards/${encodeURIComponent(card.id)}`;
  if (editing) {
    return (
      <li class="card-item mine">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setEditing(false);
            if (text.trim() && text !== card.text) await ctx.send('PATCH', path, { text: text.trim() });
          }}
        >
          <label for={`edit-${card.id}`} class="sr-only">
            {tr.t('board.edit')}
          </label>
          <textarea id={`edit-${card.id}`} rows={2} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
          <div class="row">
            <button type="submit">{tr.t('board.save')}</button>
            <button type="button" class="secondary" onClick={() => setEditing(false)}>
              {tr.t('board.cancel')}
            </button>
          </div>
        </form>
      </li>
    );
  }
  // A card the moderator hid: its author still reads it, the others see
  // only that it was there (the server sends them no text).
  const canHide = ctx.moderator && !ctx.closed && !card.hidden && !card.concealed;
  return (
    <li class={`card-item ${card.mine ? 'mine' : ''} ${card.hidden ? 'hidden-card' : ''}`}>
      {card.hidden && <p class="small strong">{card.mine ? tr.t('board.hiddenMine') : tr.t('board.hiddenByModerator')}</p>}
      {card.text && <p class="card-text">{card.text}</p>}
      <p class="card-meta small muted">
        {card.mine && <span>{tr.t('board.mine')}</span>}
        {!card.mine && card.author && !ctx.anonymous && <span>{tr.t('board.by', { name: ctx.nameOf(card.author) })}</span>}
        {card.votes > 0 && <span> · {tr.t('vote.total', { n: card.votes })}</span>}
      </p>
      {canHide && (
        <button type="button" class="link" onClick={() => ctx.send('POST', `${path}/hide`)}>
          {tr.t('board.hide')}
        </button>
      )}
      {editable && (
        <div class="row">
          <button
            type="button"
            class="link"
            onClick={() => {
              setText(card.text ?? '');
              setEditing(true);
            }}
          >
            {tr.t('board.edit')}
          </button>
          <button type="button" class="link" onClick={() => ctx.send('DELETE', path)}>
            {tr.t('board.delete')}
          </button>
        </div>
      )}
    </li>
  );
});

/**
 * The queued texts not yet on the board: between the feed bringing a card
 * and the answer to its POST, it is in both, and is shown once.
 */
function waiting(unsent: string[], shown: CardView[]): string[] {
  if (unsent.length === 0) return unsent;
  const mine = shown.filter((c) => c.mine).map((c) => c.text);
  return unsent.filter((t) => {
    const i = mine.indexOf(t);
    if (i < 0) return true;
    mine.splice(i, 1);
    return false;
  });
}
