import type { Translator } from '../i18n';

/** Numbers as the dashboards show them: up to two decimals, in the reader's language. */
export function numberFormat(tr: Translator): (v: number) => string {
  const f = new Intl.NumberFormat(tr.lang, { maximumFractionDigits: 2 });
  return (v) => f.format(v);
}

/** A signed change ("+0.5", "−1"), so a rise and a fall read without colour. */
export function changeFormat(tr: Translator): (v: number) => string {
  const f = new Intl.NumberFormat(tr.lang, { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
  return (v) => f.format(v);
}

/** Every item of a paged list, following nextCursor to the end. */
export async function allPages<T>(get: <P>(path: string) => Promise<P>, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor = '';
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get<{ items: T[] | null; nextCursor?: string }>(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...(page.items ?? []));
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}
