import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import { matchesTemplate } from '../src/pages/NewRetro';
import { translator } from '../src/i18n';
import { QRCode, qrPath } from '../src/retro/qr';
import { rotiResult } from '../src/retro/Roti';
import { surveyResult } from '../src/pages/Survey';
import { parseRoute } from '../src/router';

describe('routes', () => {
  it('maps paths to pages, invite links included', () => {
    expect(parseRoute('/join/abc%2Fdef')).toEqual({ page: 'join', code: 'abc/def' });
    expect(parseRoute('/retros/r1/')).toEqual({ page: 'retro', retroId: 'r1' });
    expect(parseRoute('/teams/t1/new-retro')).toEqual({ page: 'newRetro', teamId: 't1' });
    expect(parseRoute('/nope')).toEqual({ page: 'notFound' });
    expect(parseRoute('/retros/r1/archive')).toEqual({ page: 'archive', retroId: 'r1' });
    expect(parseRoute('/retros/r1/at')).toEqual({ page: 'timeTravel', retroId: 'r1' });
    expect(parseRoute('/surveys/s1')).toEqual({ page: 'survey', surveyId: 's1' });
  });

  it('only follows a next= that stays on this site', () => {
    expect(parseRoute('/login', '?next=/retros/r1')).toEqual({ page: 'login', next: '/retros/r1' });
    expect(parseRoute('/login', '?next=//evil.example/x')).toEqual({ page: 'login' });
    expect(parseRoute('/login', '?next=https://evil.example')).toEqual({ page: 'login' });
  });
});

describe('template search', () => {
  const t = { id: 'ssc', name: 'Start, stop, continue', description: 'Classic', tags: ['simple'], columns: [{ id: 'start', title: 'Start', prompt: 'What should we begin?' }] };
  it('finds templates by name, tag and column, all words', () => {
    expect(matchesTemplate(t, 'stop')).toBe(true);
    expect(matchesTemplate(t, 'SIMPLE begin')).toBe(true);
    expect(matchesTemplate(t, 'sailboat')).toBe(false);
    expect(matchesTemplate(t, '  ')).toBe(true);
  });
});

describe('QR code', () => {
  it('draws the invite link as an SVG path with a quiet zone and no inline style', () => {
    const { size, d } = qrPath('http://192.168.1.20:8080/join/abcdef');
    expect(size).toBeGreaterThanOrEqual(21 + 8);
    expect(d.match(/M/g)!.length).toBeGreaterThan(100);
    const el = document.createElement('div');
    render(<QRCode text="http://x/join/y" label="QR" />, el);
    expect(el.querySelector('svg[role=img][aria-label=QR] path')).not.toBeNull();
    expect(el.innerHTML).not.toMatch(/style=/);
  });
});

describe('ROTI result', () => {
  const tr = translator('en');
  it('shows the average of enough ratings', () => {
    expect(rotiResult(tr, { count: 4, average: 3.5, distribution: { '3': 2, '4': 2 } })).toBe('Average 3.5 from 4 ratings');
  });
  it('shows only the count of a result the server withheld (too few ratings)', () => {
    const text = rotiResult(tr, { count: 2, withheld: true });
    expect(text).toContain('2 ratings');
    expect(text).not.toMatch(/Average|NaN|undefined/);
  });
});

describe('survey results', () => {
  const q = { id: 'q', text: 'Fun', scale: '1-5' };
  it('shows an average when enough answered', () => {
    expect(surveyResult(translator('en'), { question: q, count: 3, average: 3.25 })).toBe('Average 3.3 from 3 answers');
  });
  it('says "too few answers" under the minimum group, with no number but the count', () => {
    const text = surveyResult(translator('en'), { question: q, count: 1, withheld: true });
    expect(text).toContain('too few answers');
    expect(text).toMatch(/^1 answers/);
    expect(surveyResult(translator('de'), { question: q, count: 2, withheld: true })).toContain('zu wenige Antworten');
  });
});
