// One automerge-repo for the page: stock Repo, stock WebSocket adapter to the
// server's /v1/sync (same origin; the HttpOnly session cookie authenticates
// it), and IndexedDB storage so a board opens from the browser at once and
// edits made offline survive a reload until the socket is back.
import { Repo, cbor, initializeWasm } from '@automerge/automerge-repo/slim';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
// The wasm is its own hashed asset, fetched only by the board page
// (instantiating it needs 'wasm-unsafe-eval' in the CSP's script-src).
import wasmURL from '@automerge/automerge/automerge.wasm?url';

let repo: Promise<Repo> | null = null;

// The sync server says why it stops serving a document in an error message
// (e.g. a private notes document closed by the board's reveal). The stock
// adapter only logs those; this one also tells the page.
type ToldListener = (message: string) => void;
const told = new Set<ToldListener>();

/** Calls listener with each error message the sync server sends; returns its removal. */
export function onSyncError(listener: ToldListener): () => void {
  told.add(listener);
  return () => told.delete(listener);
}

/** Error messages are small: larger frames (sync data) are not decoded twice. */
const maxErrorFrame = 4096;

export class TellingAdapter extends WebSocketClientAdapter {
  receiveMessage(bytes: Uint8Array): void {
    if (bytes.byteLength <= maxErrorFrame) {
      try {
        const m = cbor.decode(new Uint8Array(bytes)) as { type?: unknown; message?: unknown };
        if (m?.type === 'error' && typeof m.message === 'string') for (const l of told) l(m.message);
      } catch {
        // not CBOR: the stock adapter logs it
      }
    }
    super.receiveMessage(bytes);
  }
}

export function syncURL(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/v1/sync`;
}

/** The page's repo, made on first use. Its storage is per user, so two
 * people sharing a browser profile never open each other's copies. */
export function boardRepo(userId: string): Promise<Repo> {
  repo ??= (async () => {
    await initializeWasm(new Request(wasmURL));
    const r = new Repo({
      network: [new TellingAdapter(syncURL(), 1000)],
      storage: new IndexedDBStorageAdapter(`hindsight-boards-${userId}`),
      // Announce every board we hold to the server: it answers only those
      // the person may open, and it is the one peer.
      sharePolicy: async () => true,
      // Saves to IndexedDB follow an edit within 20 ms (the default is
      // 100 ms), so little is pending when the tab goes away.
      saveDebounceRate: 20,
    });
    // And what is pending is written when the page is hidden or left.
    addEventListener('pagehide', () => void r.flush());
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && void r.flush());
    return r;
  })();
  return repo;
}
