import { h, type Component, type FunctionComponent } from 'preact';

/**
 * memo renders fn again only when a prop changed identity (a shallow
 * compare), as React's memo. Not preact/compat's: importing compat
 * installs its React emulation for the whole app (and costs 2 KB).
 */
export function memo<P extends object>(fn: FunctionComponent<P>): FunctionComponent<P> {
  function Memo(this: Component<P>, props: P) {
    this.shouldComponentUpdate = changed;
    return h(fn, props);
  }
  Memo.displayName = `Memo(${fn.displayName || fn.name})`;
  return Memo;
}

function changed(this: Component, next: Record<string, unknown>): boolean {
  const prev = this.props as Record<string, unknown>;
  for (const k in prev) if (!(k in next)) return true;
  for (const k in next) if (prev[k] !== next[k]) return true;
  return false;
}
