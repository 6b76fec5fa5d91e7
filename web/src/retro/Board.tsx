import { useState } from 'preact/hooks';
import type { CardView, ColumnView, RetroView } from '../api/types';
import { useI18n } from '../i18n';
import type { RetroState } from './useRetro';
import { personName } from './names';

interface BoardProps {
  view: RetroView;
  retro: RetroState;
  /** Collect: write cards; afterwards the board is read-only. */
  writable: boolean;
}

/** Cards in columns: own cards editable, others' concealed ones as placeholders. */
export function Board({ view, retro, writable }: BoardProps) {
  const tr = useI18n();
  return (
    <section class="board" aria-label={tr.t('board.columns')}>
      {(view.columns ?? []).map((col) => (
        <Column key={col.id} col={col} view={view} retro={retro} writable={writable && view.you.participant && !view.closed} />
      ))}
      {retro.presence.typingCount > 0 && (
        <p class="typing" role="status">
          {tr.tn('retro.typing', retro.presence.typingCount)}
        </p>
      )}
    </section>
  );
}

function Column({ col, view, retro, writable }: { col: ColumnView; view: RetroView; retro: RetroState; writable: boolean }) {
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
    retro.typing(false);
    await retro.send('POST', '/cards', { columnId: col.id, text: t });
  };
  return (
    <section class="column" aria-labelledby={headId}>
      <header class="column-head">
        <h3 id={headId}>{col.title}</h3>
        {col.prompt && <p class="muted">{col.prompt}</p>}
        <p class="muted small">{col.revealed ? tr.t('board.revealed') : tr.t('board.hidden')}</p>
        {view.you.moderator && !col.revealed && !view.closed && (
          <button
            type="button"
            class="secondary"
            aria-label={tr.t('board.revealNamed', { column: col.title })}
            onClick={() => retro.send('POST', `/columns/${encodeURIComponent(col.id)}/reveal`)}
          >
            {tr.t('board.reveal')}
          </button>
        )}
      </header>
      <ul class="cards">
        {visible.map((c) => (
          <Card key={c.id} card={c} view={view} retro={retro} editable={writable && !!c.mine} />
        ))}
        {hidden > 0 && (
          <li class="card-item concealed" aria-label={tr.tn('board.concealedCount', hidden)}>
            {Array.from({ length: hidden }, (_, i) => (
              <span key={i} class="placeholder" aria-hidden="true" />
            ))}
            <span class="muted small">{tr.tn('board.concealedCount', hidden)}</span>
          </li>
        )}
        {cards.length === 0 && <li class="muted small">{tr.t('board.empty')}</li>}
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
              retro.typing(true);
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
}

function Card({ card, view, retro, editable }: { card: CardView; view: RetroView; retro: RetroState; editable: boolean }) {
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
            if (text.trim() && text !== card.text) await retro.send('PATCH', path, { text: text.trim() });
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
  const canHide = view.you.moderator && !view.closed && !card.hidden && !card.concealed;
  return (
    <li class={`card-item ${card.mine ? 'mine' : ''} ${card.hidden ? 'hidden-card' : ''}`}>
      {card.hidden && <p class="small strong">{card.mine ? tr.t('board.hiddenMine') : tr.t('board.hiddenByModerator')}</p>}
      {card.text && <p class="card-text">{card.text}</p>}
      <p class="card-meta small muted">
        {card.mine && <span>{tr.t('board.mine')}</span>}
        {!card.mine && card.author && !view.anonymous && <span>{tr.t('board.by', { name: personName(card.author, view, retro.names, tr) })}</span>}
        {card.votes > 0 && <span> · {tr.t('vote.total', { n: card.votes })}</span>}
      </p>
      {canHide && (
        <button type="button" class="link" onClick={() => retro.send('POST', `${path}/hide`)}>
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
          <button type="button" class="link" onClick={() => retro.send('DELETE', path)}>
            {tr.t('board.delete')}
          </button>
        </div>
      )}
    </li>
  );
}
