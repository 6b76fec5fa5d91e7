import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { describeError } from '../api/problem';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices, useSession } from '../services';
import { Field, FormError } from '../ui/forms';

type Client = ReturnType<typeof useServices>['client'];

/** Where this browser keeps the claim token of a quick retro it started. */
const claimKey = 'hindsight.quickRetroClaim';

/**
 * Adopts the quick retro this browser started into the account just signed
 * in. One that expired or someone else claimed is forgotten; other failures
 * are tried again at the next log-in.
 */
export async function claimQuickRetro(client: Client): Promise<void> {
  const token = localStorage.getItem(claimKey);
  if (!token) return;
  try {
    await client.request('POST', '/v1/quick-retros/claim', { claimToken: token });
    localStorage.removeItem(claimKey);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 409)) localStorage.removeItem(claimKey);
  }
}

/** Start a retro with only a name: no account, a throwaway workspace, claimed by signing up later. */
export function QuickRetro() {
  const tr = useI18n();
  const { client } = useServices();
  const session = useSession();
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const q = await client.request<{ retroId: string; claimToken: string }>('POST', '/v1/quick-retros', { name }, { cookieSession: true });
      localStorage.setItem(claimKey, q.claimToken);
      await session.refresh();
      navigate(`/retros/${q.retroId}`);
    } catch (err) {
      setError(describeError(err, tr));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="quick-h">
      <h2 id="quick-h">{tr.t('quick.title')}</h2>
      <p>{tr.t('quick.intro')}</p>
      <form onSubmit={submit}>
        <Field label={tr.t('auth.name')} name="quick-name" value={name} onInput={setName} required autoComplete="name" maxLength={100} />
        <FormError>{error}</FormError>
        <button type="submit" disabled={busy}>
          {tr.t('quick.start')}
        </button>
      </form>
    </section>
  );
}

/** Links to the server-wide single sign-on providers, if the server has any. */
export function SingleSignOn({ next }: { next?: string | undefined }) {
  const tr = useI18n();
  const { client } = useServices();
  const [providers, setProviders] = useState<{ name: string; loginPath: string }[]>([]);
  useEffect(() => {
    client
      .request<{ providers: { name: string; loginPath: string }[] }>('GET', '/v1/auth/oidc/providers')
      .then((p) => setProviders(p.providers))
      .catch(() => setProviders([]));
  }, [client]);
  if (providers.length === 0) return null;
  const q = next ? `?next=${encodeURIComponent(next)}` : '';
  return (
    <p class="sso">
      {providers.map((p) => (
        <a key={p.name} class="button" href={p.loginPath + q}>
          {tr.t('quick.sso', { name: p.name })}
        </a>
      ))}
    </p>
  );
}
