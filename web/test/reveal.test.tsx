import { render } from 'preact';
import type * as preact from 'preact';
import { describe, expect, it } from 'vitest';
import { I18n, translator } from '../src/i18n';
import { RevealNotice, saysNotesClosed } from '../src/board/RevealNotice';

function showWith(node: preact.ComponentChild, lang: 'en' | 'de' = 'en'): HTMLElement {
  const el = document.createElement('div');
  render(<I18n.Provider value={translator(lang)}>{node}</I18n.Provider>, el);
  return el;
}

describe('a whiteboard reveal', () => {
  it('tells the moderator how many notes went on the board and how many were left out, in English and German', () => {
    const en = showWith(<RevealNotice outcome={{ added: 40, leftOut: 3 }} mine={false} closed={false} />);
    expect(en.textContent).toContain('The reveal put 40 notes on the board.');
    expect(en.textContent).toContain('3 notes were left out');
    const de = showWith(<RevealNotice outcome={{ added: 1, leftOut: 1 }} mine={false} closed={false} />, 'de');
    expect(de.textContent).toContain('Das Aufdecken hat 1 Notiz auf das Board gebracht.');
    expect(de.textContent).toContain('1 Notiz wurde weggelassen');
    const none = showWith(<RevealNotice outcome={{ added: 2, leftOut: 0 }} mine={false} closed={false} />);
    expect(none.textContent).toContain('None was left out.');
  });

  it('tells a writer their notes document closed when the server says so, and nothing when nothing happened', () => {
    const el = showWith(<RevealNotice outcome={null} mine={false} closed={true} />, 'de');
    expect(el.textContent).toContain('bleibt nur auf diesem Gerät');
    expect(showWith(<RevealNotice outcome={null} mine={false} closed={false} />).textContent).toBe('');
  });

  it('knows the server’s words for a closed notes document, alone or as why a connection ended', () => {
    const server = "notes revealed: this private notes document closed when the board's notes were revealed; the reveal merged what the server had received, and later edits stay on this device only";
    expect(saysNotesClosed(server)).toBe(true);
    expect(saysNotesClosed(`access withdrawn: ${server}`)).toBe(true);
    expect(saysNotesClosed('access withdrawn: a board is no longer available to this user')).toBe(false);
    expect(saysNotesClosed('changes that cannot fit the board')).toBe(false);
  });
});
