import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { describeError } from '../api/problem';
import type { Result } from '../api/types';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices, useSession } from '../services';
import { Field, FormError } from '../ui/forms';
import { newUUID } from '../api/ids';

/** A guest joins a retro from an invite link with an e-mail address and a name. */
export function Join({ code }: { code: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const session = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // On a server with mail the join goes through a link mailed to the address.
  const [mailed, setMailed] = useState(false);
  // One intent, one key: a double click or a retry joins once.
  const [key] = useState(newUUID);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const t = await client.request<{ retroId?: string }>(
        'POST',
        `/v1/invites/${encodeURIComponent(code)}/join`,
        { email, name },
        { cookieSession: true, idempotencyKey: key },
      );
      await session.refresh();
      const retroId = t?.retroId;
      if (retroId) {
        await client.request<Result>('POST', `/v1/retros/${encodeURIComponent(retroId)}/join`, undefined, { idempotencyKey: `${key}-join` });
        navigate(`/retros/${retroId}`);
      } else {
        navigate('/');
      }
    } catch (err) {
      if (err instanceof ApiError && err.problem.code === 'guest-proof-required') {
        try {
          await client.request('POST', `/v1/invites/${encodeURIComponent(code)}/join-by-mail`, { email, name }, { idempotencyKey: `${key}-mail` });
          setMailed(true);
        } catch (err2) {
          setError(describeError(err2, tr));
        }
      } else {
        setError(describeError(err, tr));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="join-h">
      <h1 id="join-h">{tr.t('join.title')}</h1>
      {mailed ? (
        <p role="status">{tr.t('mailLinks.checkMailbox', { email })}</p>
      ) : (
        <>
      <p>{tr.t('join.intro')}</p>
      <form onSubmit={submit}>
        <Field label={tr.t('auth.name')} name="name" value={name} onInput={setName} required autoComplete="name" maxLength={200} />
        <Field label={tr.t('auth.email')} type="email" name="email" value={email} onInput={setEmail} required autoComplete="email" />
        <FormError>{error}</FormError>
        <button type="submit" disabled={busy}>
          {tr.t('join.submit')}
        </button>
      </form>
        </>
      )}
    </section>
  );
}
