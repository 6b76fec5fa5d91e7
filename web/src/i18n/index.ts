import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { de } from './de';
import { en, type MessageKey } from './en';

export type { MessageKey };
export type Lang = 'en' | 'de';
export const languages: readonly Lang[] = ['en', 'de'];

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, de };

type Params = Record<string, string | number>;

/** Keys that have plural forms, without the _one/_other suffix. */
type PluralBase<K> = K extends `${infer B}_other` ? B : never;
export type PluralKey = PluralBase<MessageKey>;

export interface Translator {
  lang: Lang;
  t(key: MessageKey, params?: Params): string;
  /** Whether the catalogue has the key (for keys built from server codes). */
  has(key: string): key is MessageKey;
  tn(key: PluralKey, count: number, params?: Params): string;
  date(iso: string): string;
}

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function translator(lang: Lang): Translator {
  const cat = catalogues[lang];
  const plural = new Intl.PluralRules(lang);
  const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });
  return {
    lang,
    t: (key, params) => fill(cat[key] ?? key, params),
    has: (key: string): key is MessageKey => Object.prototype.hasOwnProperty.call(cat, key),
    tn: (key, count, params) => {
      const form = plural.select(count) === 'one' ? 'one' : 'other';
      return fill(cat[`${key}_${form}` as MessageKey], { count, ...params });
    },
    date: (iso) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : dates.format(d);
    },
  };
}

/** The language to start in: a stored choice, else the browser's. */
export function initialLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored === 'en' || stored === 'de') return stored;
  for (const l of browser) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

export const I18n = createContext<Translator>(translator('en'));
export const useI18n = (): Translator => useContext(I18n);
