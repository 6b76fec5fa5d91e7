/**
 * One operation of the live feed's JSON Patch (RFC 6902). The server
 * (api/live/jsonpatch) emits only add, remove and replace; a move of a card
 * between columns or within a list arrives as a remove and an add.
 */
export interface PatchOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

/** A patch that does not fit the view it is applied to. */
export class PatchError extends Error {}

type Container = Record<string, unknown> | unknown[];

/**
 * applyPatch returns doc with ops applied, leaving doc untouched: only the
 * objects and arrays on the paths the patch changes are copied, everything
 * else is shared with doc. Components that compare their props by identity
 * (a column, a card) then re-render only where something changed.
 * Throws PatchError when an operation does not fit.
 */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  // Containers copied during this call may be changed in place by later
  // operations of the same patch: a patch of many ops on one list costs one copy.
  const fresh = new WeakSet<object>();
  let root: unknown = doc;
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
      throw new PatchError(`op ${String(op.op)} at ${op.path} is not add, remove or replace`);
    }
    root = applyOp(root, tokens(op.path), op, fresh);
  }
  return root as T;
}

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`path ${path} does not start with /`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function copy(c: Container, fresh: WeakSet<object>): Container {
  if (fresh.has(c)) return c;
  const out: Container = Array.isArray(c) ? c.slice() : { ...c };
  fresh.add(out);
  return out;
}

function applyOp(doc: unknown, path: string[], op: PatchOp, fresh: WeakSet<object>): unknown {
  if (path.length === 0) return op.op === 'remove' ? null : op.value;
  if (doc === null || typeof doc !== 'object') throw new PatchError(`${op.op} ${op.path}: ${path[0]} into a scalar`);
  const [key, ...rest] = path as [string, ...string[]];
  const last = rest.length === 0;
  if (Array.isArray(doc)) {
    const i = key === '-' ? doc.length : /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : -1;
    if (i < 0 || i > doc.length || (i === doc.length && !(last && op.op === 'add'))) {
      throw new PatchError(`${op.op} ${op.path}: no index ${key}`);
    }
    const out = copy(doc, fresh) as unknown[];
    if (!last) out[i] = applyOp(out[i], rest, op, fresh);
    else if (op.op === 'add') out.splice(i, 0, op.value);
    else if (op.op === 'remove') out.splice(i, 1);
    else out[i] = op.value;
    return out;
  }
  const obj = doc as Record<string, unknown>;
  if (!Object.hasOwn(obj, key) && !(last && op.op === 'add')) throw new PatchError(`${op.op} ${op.path}: no member ${key}`);
  const out = copy(obj, fresh) as Record<string, unknown>;
  if (last && op.op === 'remove') delete out[key];
  else {
    // defineProperty, not assignment: a key named __proto__ stays data.
    const value = last ? op.value : applyOp(out[key], rest, op, fresh);
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return out;
}
