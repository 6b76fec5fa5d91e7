import type { MessageKey, Translator } from '../i18n';
import { ApiError, NetworkError } from './client';

const kinds: Record<string, MessageKey> = {
  validation: 'error.validation',
  unauthenticated: 'error.unauthenticated',
  forbidden: 'error.forbidden',
  'not-found': 'error.not-found',
  conflict: 'error.conflict',
  'too-large': 'error.too-large',
  'rate-limited': 'error.rate-limited',
  unavailable: 'error.unavailable',
  internal: 'error.internal',
};

/**
 * What to tell a person about a failed request, in their language: by the
 * problem's code where the catalogue has words for it, else by its type.
 * Never the raw JSON.
 */
export function describeError(err: unknown, tr: Translator): string {
  if (err instanceof NetworkError) return tr.t('error.network');
  if (err instanceof ApiError) {
    const code = err.problem.code;
    if (code) {
      const key = `error.code.${code}`;
      if (tr.has(key)) return tr.t(key);
    }
    const key = kinds[err.kind];
    if (key) {
      const detail = err.problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') || err.problem.detail || '';
      return tr.t(key, { detail }).replace(/:\s*$/, '.');
    }
  }
  return tr.t('error.unknown');
}
