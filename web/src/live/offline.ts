import type { Me, RetroView } from '../api/types';

/** What a page needs to show a retro with no network: the person's own last view. */
export interface KeptRetro {
  view: RetroView;
  names: Record<string, string>;
  savedAt: number;
}

const meKey = 'hindsight.me';
const viewPrefix = 'hindsight.view.';
/** When each kept view was saved, by its key: which to forget without reading the views. */
const savedKey = 'hindsight.kept';
/** Retros kept per browser: a view of 200 cards is ~50 KB, localStorage holds ~5 MB. */
const maxRetros = 5;

/**
 * OfflineStore keeps, in localStorage, who is signed in and the last view
 * of the retros they opened, so a page reloaded with no network (the
 * service worker serves the app) still shows the retro. Each view is the
 * one the server sent this person, redacted for them: others' concealed
 * cards without text, no anonymous author, no one else's open votes. It
 * is kept per person and forgotten on log-out.
 */
export class OfflineStore {
  constructor(private readonly storage: Storage) {}

  me(): Me | null {
    return this.read<Me>(meKey);
  }

  setMe(me: Me | null): void {
    if (me) this.write(meKey, me);
    else this.storage.removeItem(meKey);
  }

  retro(userId: string, retroId: string): KeptRetro | null {
    const kept = this.read<KeptRetro>(this.key(userId, retroId));
    return kept && kept.view && kept.view.retroId === retroId ? kept : null;
  }

  keepRetro(userId: string, view: RetroView, names: Map<string, string>): void {
    const kept: KeptRetro = { view, names: Object.fromEntries(names), savedAt: Date.now() };
    const key = this.key(userId, view.retroId);
    // The oldest go first when there are too many. Their save times come
    // from a small index, not from parsing every kept view (~50 KB each)
    // on every save; a view kept without an entry counts as the oldest.
    const saved = this.read<Record<string, number>>(savedKey) ?? {};
    const others = this.keys()
      .filter((k) => k !== key)
      .map((k) => ({ k, at: saved[k] ?? 0 }))
      .sort((a, b) => b.at - a.at);
    const index: Record<string, number> = {};
    for (const { k, at } of others.slice(0, maxRetros - 1)) index[k] = at;
    for (const { k } of others.slice(maxRetros - 1)) this.storage.removeItem(k);
    index[key] = kept.savedAt;
    this.write(savedKey, index);
    this.write(key, kept);
  }

  /** Forgets everything kept (log-out, or another person signed in). */
  clear(): void {
    for (const k of this.keys()) this.storage.removeItem(k);
    this.storage.removeItem(savedKey);
    this.storage.removeItem(meKey);
  }

  private key(userId: string, retroId: string): string {
    return `${viewPrefix}${userId}.${retroId}`;
  }

  private keys(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (k?.startsWith(viewPrefix)) out.push(k);
    }
    return out;
  }

  private read<T>(key: string): T | null {
    try {
      const raw = this.storage.getItem(key);
      return raw ? (JSON.parse(raw) as T) : null;
    } catch {
      return null;
    }
  }

  private write(key: string, v: unknown): void {
    try {
      this.storage.setItem(key, JSON.stringify(v));
    } catch {
      // Storage full or refused: the page still works online.
    }
  }
}
