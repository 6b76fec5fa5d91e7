import { describe, expect, it } from 'vitest';
import { de } from '../src/i18n/de';
import { en } from '../src/i18n/en';
import { initialLang, translator } from '../src/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('German has exactly the English keys', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it('every German message fills the same placeholders as the English one', () => {
    for (const [k, v] of Object.entries(en)) {
      expect(placeholders(de[k as keyof typeof en]), k).toEqual(placeholders(v));
    }
  });

  it('no message is left empty or untranslated where the languages differ', () => {
    for (const [k, v] of Object.entries(de)) expect(v.trim(), k).not.toBe('');
    const same = Object.keys(en).filter((k) => de[k as keyof typeof en] === en[k as keyof typeof en]);
    // Words German borrows as they are (names, ROTI, Live, Teams…) only.
    expect(same.every((k) => /^(app\.name|conn\.live|role\.admin|step\.(roti|whiteboard)|home\.(workspaces|teams)|team\.(title|retros)|board\.columns|discuss\.timer|health\.scoreLabel|dash\.(teamTitle|downloads|enps|rotiOn|retros?|teams?)|wb\.(title|tool\.text|kind\.text|color\.orange|shape\.ellipse|boards))$/.test(k)), same.join(',')).toBe(true);
  });

  it('chooses plural forms per language', () => {
    expect(translator('en').tn('retro.hereCount', 1)).toBe('1 person here');
    expect(translator('en').tn('retro.hereCount', 3)).toBe('3 people here');
    expect(translator('de').tn('retro.typing', 2)).toBe('2 Personen schreiben');
  });

  it('starts in a stored choice, else the browser language, else English', () => {
    expect(initialLang('de', ['en-US'])).toBe('de');
    expect(initialLang(null, ['fr-FR', 'de-AT'])).toBe('de');
    expect(initialLang(null, ['fr'])).toBe('en');
  });
});

describe('the German UI', () => {
  it('says du to the person, as the German mails do, never Sie', () => {
    // Capitalised Sie/Ihr… mid-sentence is the formal address; at a sentence's start "Sie" could
    // mean "she/they", so no message may use those words at all (rephrase instead).
    const formal = /\b(Sie|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres|Ihnen)\b/;
    const found = Object.entries(de).filter(([, v]) => formal.test(v)).map(([k]) => k);
    expect(found).toEqual([]);
    expect(de['vote.remaining']).toMatch(/^Du hast noch/);
  });
});
