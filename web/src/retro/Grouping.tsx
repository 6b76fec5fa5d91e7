import { useState } from 'preact/hooks';
import type { CardView, GroupView, RetroView } from '../api/types';
import { useI18n } from '../i18n';
import type { RetroState } from './useRetro';

/** A card or group a card can be put with. */
interface Target {
  id: string;
  label: string;
}

const dragType = 'application/x-hindsight-card';

/**
 * Grouping: drag a card onto another card or a group, or, by keyboard, pick
 * "Put with…" and a target. Groups can be named; a card can be taken out.
 * Only revealed cards take part (the server refuses concealed ones).
 */
export function Grouping({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const cards = (view.columns ?? []).flatMap((c) => c.cards ?? []).filter((c) => !c.concealed && c.text);
  const byId = new Map(cards.map((c) => [c.id, c]));
  const groups = view.groups ?? [];
  const loose = cards.filter((c) => !c.groupId);
  const can = view.you.participant && !view.closed;
  const targets: Target[] = [
    ...groups.map((g) => ({ id: g.id, label: g.name || tr.t('group.unnamed', { n: g.cardIds?.length ?? 0 }) })),
    ...loose.map((c) => ({ id: c.id, label: c.text ?? '' })),
  ];
  const merge = (cardId: string, targetId: string) => {
    if (cardId !== targetId) void retro.send('POST', `/cards/${encodeURIComponent(cardId)}/merge`, { targetId });
  };
  return (
    <div class="stack">
      <p class="muted">{tr.t('group.help')}</p>
      {groups.length > 0 && (
        <section aria-labelledby="groups-h" class="groups">
          <h3 id="groups-h">{tr.t('group.groups')}</h3>
          {groups.map((g) => (
            <Group key={g.id} group={g} byId={byId} retro={retro} can={can} onDrop={merge} />
          ))}
        </section>
      )}
      <section aria-labelledby="loose-h">
        <h3 id="loose-h">{tr.t('group.loose')}</h3>
        <ul class="cards grouping">
          {loose.map((c) => (
            <LooseCard key={c.id} card={c} targets={targets.filter((t) => t.id !== c.id)} can={can} onMerge={merge} />
          ))}
        </ul>
      </section>
    </div>
  );
}

function dropHandlers(targetId: string, onDrop: (cardId: string, targetId: string) => void, setOver: (b: boolean) => void) {
  return {
    onDragOver: (e: DragEvent) => {
      if (e.dataTransfer?.types.includes(dragType)) {
        e.preventDefault();
        setOver(true);
      }
    },
    onDragLeave: () => setOver(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setOver(false);
      const id = e.dataTransfer?.getData(dragType);
      if (id) onDrop(id, targetId);
    },
  };
}

function LooseCard({ card, targets, can, onMerge }: { card: CardView; targets: Target[]; can: boolean; onMerge: (c: string, t: string) => void }) {
  const tr = useI18n();
  const [over, setOver] = useState(false);
  const [target, setTarget] = useState('');
  const selectId = `merge-${card.id}`;
  return (
    <li
      class={`card-item ${over ? 'drop-over' : ''}`}
      draggable={can}
      onDragStart={(e) => e.dataTransfer?.setData(dragType, card.id)}
      {...(can ? dropHandlers(card.id, onMerge, setOver) : {})}
    >
      <p class="card-text">{card.text}</p>
      {can && targets.length > 0 && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (target) onMerge(card.id, target);
          }}
        >
          <label for={selectId} class="sr-only">
            {tr.t('group.putWithLabel', { text: card.text ?? '' })}
          </label>
          <select id={selectId} value={target} onChange={(e) => setTarget((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{tr.t('group.putWith')}</option>
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
          <button type="submit" class="secondary" disabled={!target}>
            {tr.t('group.put')}
          </button>
        </form>
      )}
    </li>
  );
}

function Group({ group, byId, retro, can, onDrop }: { group: GroupView; byId: Map<string, CardView>; retro: RetroState; can: boolean; onDrop: (c: string, t: string) => void }) {
  const tr = useI18n();
  const [over, setOver] = useState(false);
  const [name, setName] = useState(group.name ?? '');
  const nameId = `gname-${group.id}`;
  return (
    <div class={`group card ${over ? 'drop-over' : ''}`} {...(can ? dropHandlers(group.id, onDrop, setOver) : {})}>
      {can ? (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) void retro.send('PATCH', `/groups/${encodeURIComponent(group.id)}`, { name: name.trim() });
          }}
        >
          <label for={nameId}>{tr.t('group.name')}</label>
          <input id={nameId} value={name} maxLength={200} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="secondary">
            {tr.t('board.save')}
          </button>
        </form>
      ) : (
        <h4>{group.name || tr.t('group.unnamed', { n: group.cardIds?.length ?? 0 })}</h4>
      )}
      <ul class="cards">
        {(group.cardIds ?? []).map((id) => {
          const c = byId.get(id);
          return (
            <li key={id} class="card-item">
              <p class="card-text">{c?.text}</p>
              {can && (
                <button
                  type="button"
                  class="link"
                  aria-label={tr.t('group.takeOutNamed', { text: c?.text ?? '' })}
                  onClick={() => retro.send('POST', `/cards/${encodeURIComponent(id)}/move-out`)}
                >
                  {tr.t('group.takeOut')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
