import type { Translator } from '../i18n';
import type { RetroView, TopicView } from '../api/types';

/** How a participant is named: "You", their name if known, else a number. */
export function personName(userId: string, view: Pick<RetroView, 'you' | 'participants'>, names: Map<string, string>, tr: Translator): string {
  if (userId === view.you.userId) return tr.t('retro.you');
  const n = names.get(userId);
  if (n) return n;
  const i = (view.participants ?? []).findIndex((p) => p.userId === userId);
  return tr.t('retro.participantLabel', { n: i >= 0 ? i + 1 : '?' });
}

/** A topic's title as shown: a card the moderator hid has none for anyone. */
export function topicTitle(t: TopicView, tr: Translator): string {
  return t.hidden ? tr.t('board.hiddenTopic') : t.title;
}
