// The board document's shape (collab/README.md, "Board schema") and the
// edits the canvas makes to it. Pure: no Automerge here, so the undo
// bookkeeping is tested without wasm.

export const kinds = ['note', 'text', 'shape', 'connector', 'drawing', 'image', 'frame'] as const;
export type Kind = (typeof kinds)[number];
export const colors = ['yellow', 'pink', 'blue', 'green', 'orange', 'purple', 'grey', 'white'] as const;
export type Color = (typeof colors)[number];
export const shapes = ['rect', 'ellipse', 'diamond'] as const;
export type Shape = (typeof shapes)[number];

export interface Item {
  kind: Kind;
  x: number;
  y: number;
  w: number;
  h: number;
  color: string;
  z: number;
  author: string;
  text?: string;
  shape?: Shape;
  from?: string;
  to?: string;
  points?: number[];
  url?: string;
}

export interface BoardDoc {
  schema?: number;
  title?: string;
  prompts?: string[];
  items?: Record<string, Item>;
}

/** The schema version this app writes (collab.SchemaVersion on the server). */
export const schemaVersion = 1;

/** Fields of one item before and after an edit; null is "no item". */
export interface Edit {
  id: string;
  before: Partial<Item> | null;
  after: Partial<Item> | null;
}

/** The edit that takes an edit back. */
export function inverse(e: Edit): Edit {
  return { id: e.id, before: e.after, after: e.before };
}

/** Only the fields of `from` that `change` names, for the "before" side of an edit. */
export function fieldsOf(from: Item, change: Partial<Item>): Partial<Item> {
  const out: Partial<Item> = {};
  for (const k of Object.keys(change) as (keyof Item)[]) {
    (out as Record<string, unknown>)[k] = from[k] === undefined ? undefined : structuredClone(from[k]);
  }
  return out;
}

/** History keeps one person's own edits, newest last, for undo and redo. */
export class History {
  private done: Edit[][] = [];
  private undone: Edit[][] = [];
  constructor(private limit = 200) {}

  record(edits: Edit[]): void {
    if (edits.length === 0) return;
    this.done.push(edits);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
  }
  /** The edits that undo the latest step, or null; the step moves to redo. */
  undo(): Edit[] | null {
    const step = this.done.pop();
    if (!step) return null;
    this.undone.push(step);
    return [...step].reverse().map(inverse);
  }
  redo(): Edit[] | null {
    const step = this.undone.pop();
    if (!step) return null;
    this.done.push(step);
    return step;
  }
  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
}

/** A random item ID: no user information in it. */
export function newItemId(): string {
  const b = new Uint8Array(9);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function topZ(items: Record<string, Item>): number {
  let z = 0;
  for (const it of Object.values(items)) if (typeof it.z === 'number' && it.z > z) z = it.z;
  return z;
}

const plain = new WeakMap<object, Item>();

/** An item as the page uses it: a client that wrote a field as a scalar
 * string (JS reads it as an ImmutableString object) is read like one that
 * wrote text. Cached per document object, so an unchanged item keeps its
 * identity (and its memoized view). */
export function plainItem(raw: Item): Item {
  const hit = plain.get(raw);
  if (hit) return hit;
  const out = { ...raw } as Record<string, unknown>;
  for (const [k, v] of Object.entries(raw)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && 'val' in v) out[k] = String((v as { val: unknown }).val);
  }
  plain.set(raw, out as unknown as Item);
  return out as unknown as Item;
}

/** Every item of a board as plainItem makes it. */
export function plainItems(items: Record<string, Item>): Record<string, Item> {
  const out: Record<string, Item> = {};
  for (const [id, it] of Object.entries(items)) if (it && typeof it === 'object') out[id] = plainItem(it);
  return out;
}

/** Items in drawing order (z, then ID so every peer draws ties the same). */
export function ordered(items: Record<string, Item>): [string, Item][] {
  return Object.entries(items)
    .map(([id, it]): [string, Item] => [id, it && typeof it === 'object' ? plainItem(it) : it])
    .filter(([, it]) => it && (kinds as readonly string[]).includes(it.kind))
    .sort(([a, x], [b, y]) => (x.z ?? 0) - (y.z ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Defaults for a new item of a kind at (x, y). */
export function newItem(kind: Kind, x: number, y: number, z: number, author: string): Item {
  const size: Record<Kind, [number, number]> = {
    note: [160, 120], text: [200, 40], shape: [160, 100], connector: [0, 0], drawing: [0, 0], image: [240, 160], frame: [480, 320],
  };
  const [w, h] = size[kind];
  const it: Item = { kind, x: Math.round(x - w / 2), y: Math.round(y - h / 2), w, h, color: kind === 'note' ? 'yellow' : 'white', z, author };
  if (kind === 'note' || kind === 'text' || kind === 'shape' || kind === 'frame') it.text = '';
  if (kind === 'shape') it.shape = 'rect';
  return it;
}

/** An image URL the board draws: https: only, so no script or local file. */
export function safeImageURL(u: string): string | null {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
