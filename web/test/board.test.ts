import { describe, expect, it } from 'vitest';
import { fieldsOf, History, newItem, ordered, plainItem, safeImageURL, type Edit, type Item } from '../src/board/model';
import { parseRoute } from '../src/router';

describe('board model', () => {
  it('undoes my steps newest first and redoes them, and a new step clears redo', () => {
    const h = new History();
    const add: Edit = { id: 'a', before: null, after: newItem('note', 0, 0, 1, 'u') };
    const move: Edit = { id: 'a', before: { x: -80, y: -60 }, after: { x: 10, y: 20 } };
    h.record([add]);
    h.record([move]);
    expect(h.undo()).toEqual([{ id: 'a', before: { x: 10, y: 20 }, after: { x: -80, y: -60 } }]);
    expect(h.undo()).toEqual([{ id: 'a', before: add.after, after: null }]);
    expect(h.undo()).toBeNull();
    expect(h.redo()).toEqual([add]);
    h.record([{ id: 'b', before: null, after: newItem('text', 0, 0, 2, 'u') }]);
    expect(h.canRedo).toBe(false);
  });

  it('undoes a step of several edits in reverse order', () => {
    const h = new History();
    h.record([
      { id: 'n', before: { color: 'yellow' }, after: null },
      { id: 'c', before: { kind: 'connector' }, after: null },
    ]);
    expect(h.undo()!.map((e) => e.id)).toEqual(['c', 'n']);
  });

  it('remembers only the fields an edit changes, as they were', () => {
    const it0 = newItem('shape', 100, 100, 3, 'u');
    expect(fieldsOf(it0, { x: 5, color: 'blue' })).toEqual({ x: it0.x, color: 'white' });
  });

  it('draws items by z, then by ID, and skips kinds it does not know', () => {
    const a = newItem('note', 0, 0, 2, 'u');
    const b = newItem('note', 0, 0, 1, 'u');
    const c = newItem('note', 0, 0, 2, 'u');
    const odd = { ...newItem('note', 0, 0, 0, 'u'), kind: 'hologram' } as unknown as typeof a;
    expect(ordered({ z2: c, a2: a, b1: b, x: odd }).map(([id]) => id)).toEqual(['b1', 'a2', 'z2']);
  });

  it('reads a field another client wrote as a scalar string like text, and keeps an unchanged item the same object', () => {
    const raw = { ...newItem('frame', 0, 0, 1, ''), kind: { val: 'frame' }, color: { val: 'green' } } as unknown as Item;
    const it = plainItem(raw);
    expect(it.kind).toBe('frame');
    expect(it.color).toBe('green');
    expect(plainItem(raw)).toBe(it);
  });

  it('shows images from https: addresses only', () => {
    expect(safeImageURL('https://example.com/a.png')).toBe('https://example.com/a.png');
    expect(safeImageURL('javascript:alert(1)')).toBeNull();
    expect(safeImageURL('http://example.com/a.png')).toBeNull();
    expect(safeImageURL('not a url')).toBeNull();
  });

  it('routes /boards/<id> to the board page', () => {
    expect(parseRoute('/boards/2ZbN')).toEqual({ page: 'board', boardId: '2ZbN' });
  });
});
