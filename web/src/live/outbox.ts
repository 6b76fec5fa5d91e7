import { ApiError, type Client } from '../api/client';
import { newUUID } from '../api/ids';
import type { Result } from '../api/types';

/** A command not yet acknowledged by the server. */
export interface Pending {
  /** The Idempotency-Key: one per intent, kept for every retry. */
  key: string;
  method: string;
  path: string;
  body?: unknown;
  /** Whose session made it: only that person's session sends it. */
  user: string;
}

export type Outcome = { sent: true; result: Result } | { sent: false };

export interface OutboxDeps {
  client: Client;
  storage: Storage;
  storageKey?: string;
  newKey?: () => string;
  /** A queued command the server refused for good (it is dropped). */
  onRefused?: (p: Pending, err: ApiError) => void;
  onChange?: (pending: number) => void;
}

/** Refusals worth retrying later rather than dropping the command. */
function retryable(err: ApiError): boolean {
  return err.status === 408 || err.status === 429 || err.status >= 500;
}

/**
 * The outbox sends commands in the order they were made. Each is stored
 * (localStorage) before its first attempt, so a command made offline, or
 * one whose answer was lost, survives a reload and is sent again with the
 * same Idempotency-Key: the server acts on it exactly once.
 */
export class Outbox {
  private readonly key: string;
  private running: Promise<void> | null = null;
  private again = false;
  private user = '';
  private readonly waiters = new Map<string, { resolve: (o: Outcome) => void; reject: (e: unknown) => void }>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: OutboxDeps) {
    this.key = deps.storageKey ?? 'hindsight.outbox';
  }

  /** Sets whose commands are sent; others' stay stored until they return. */
  setUser(userId: string): void {
    this.user = userId;
    this.changed();
  }

  /** Calls fn whenever the queue changes (a page showing what is still unsent); returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.deps.onChange?.(this.pending().length);
    for (const fn of this.listeners) fn();
  }

  /** The current person's unsent commands, oldest first. */
  pending(): Pending[] {
    return this.load().filter((p) => p.user === this.user);
  }

  /** Forgets the current person's unsent commands (on log-out). */
  clear(): void {
    this.save(this.load().filter((p) => p.user !== this.user));
    this.changed();
  }

  /**
   * Stores the command and sends it after the ones before it. Resolves with
   * the server's result, or {sent:false} if it stays queued (offline);
   * rejects with the ApiError if the server refused it.
   */
  submit(method: string, path: string, body?: unknown): Promise<Outcome> {
    const p: Pending = { key: (this.deps.newKey ?? newUUID)(), method, path, user: this.user };
    if (body !== undefined) p.body = body;
    this.save([...this.load(), p]);
    this.changed();
    const done = new Promise<Outcome>((resolve, reject) => this.waiters.set(p.key, { resolve, reject }));
    void this.flush();
    return done;
  }

  /** Sends what is queued, in order; stops at the first one that cannot go. */
  flush(): Promise<void> {
    // A flush asked for while one runs (perhaps just past its last send)
    // makes that one go round once more rather than being lost.
    this.again = true;
    if (!this.running) {
      this.running = (async () => {
        while (this.again) {
          this.again = false;
          await this.drain();
        }
      })().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const next = this.pending()[0];
      if (!next) return;
      let outcome: Outcome;
      try {
        const result = await this.deps.client.request<Result>(next.method, next.path, next.body, {
          idempotencyKey: next.key,
        });
        outcome = { sent: true, result };
      } catch (err) {
        if (err instanceof ApiError && !retryable(err)) {
          this.remove(next.key);
          const w = this.waiters.get(next.key);
          this.waiters.delete(next.key);
          if (w) w.reject(err);
          else this.deps.onRefused?.(next, err);
          continue;
        }
        // Offline or the server is struggling: keep it and everything after
        // it, in order, for the next flush.
        for (const [key, w] of this.waiters) {
          this.waiters.delete(key);
          w.resolve({ sent: false });
        }
        return;
      }
      this.remove(next.key);
      const w = this.waiters.get(next.key);
      this.waiters.delete(next.key);
      w?.resolve(outcome);
    }
  }

  private remove(key: string): void {
    this.save(this.load().filter((p) => p.key !== key));
    this.changed();
  }

  private load(): Pending[] {
    try {
      const raw = this.deps.storage.getItem(this.key);
      const v: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(v) ? (v as Pending[]) : [];
    } catch {
      return [];
    }
  }

  private save(list: Pending[]): void {
    if (list.length === 0) this.deps.storage.removeItem(this.key);
    else this.deps.storage.setItem(this.key, JSON.stringify(list));
  }
}
