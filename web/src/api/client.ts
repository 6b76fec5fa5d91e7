import type { Problem } from './types';

/** A request the server refused, with its RFC 9457 problem. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
  /** The problem's kind: the last segment of its type URI. */
  get kind(): string {
    return problemKind(this.problem.type);
  }
}

/** The server could not be reached (offline, DNS, connection reset). */
export class NetworkError extends Error {}

export function problemKind(type: string | undefined): string {
  if (!type) return 'unknown';
  const i = type.lastIndexOf('/');
  return i >= 0 ? type.slice(i + 1) : type;
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Reads a cookie the server made readable (the CSRF token). */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export interface RequestOptions {
  /** The command ID; the same key on a retry makes the server act once. */
  idempotencyKey?: string;
  /** Ask the server to put the session in a cookie instead of the body. */
  cookieSession?: boolean;
}

export interface ClientDeps {
  fetch: typeof fetch;
  /** The document's cookies, read on every unsafe request. */
  cookies: () => string;
  base?: string;
}

/**
 * Client of the Hindsight API for a browser session: the session is an
 * HttpOnly cookie the app never sees; unsafe requests carry the CSRF token
 * from the readable hindsight_csrf cookie.
 */
export class Client {
  constructor(private readonly deps: ClientDeps) {}

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (unsafe.has(method)) {
      const csrf = readCookie(this.deps.cookies(), 'hindsight_csrf');
      if (csrf) headers['X-CSRF-Token'] = csrf;
    }
    if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
    if (opts.cookieSession) headers['X-Session-Mode'] = 'cookie';
    let res: Response;
    try {
      res = await this.deps.fetch((this.deps.base ?? '') + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new NetworkError(e instanceof Error ? e.message : String(e));
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!res.ok) {
      const p = (parsed && typeof parsed === 'object' ? parsed : {}) as Problem;
      throw new ApiError(res.status, { ...p, type: p.type ?? `about:blank/${statusKind(res.status)}` });
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
}

function statusKind(status: number): string {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too-large';
  if (status === 429) return 'rate-limited';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'validation';
}
