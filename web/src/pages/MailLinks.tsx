import { useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { Result } from '../api/types';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices, useSession } from '../services';
import { Field, FormError } from '../ui/forms';
import { newUUID } from '../api/ids';

/**
 * The token of a mailed link, from the page address's fragment
 * (#token=…), which the browser sends to no server.
 */
function linkToken(): string {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? '';
}

/** Asks for a password reset link by mail; the answer is the same for every address. */
export function ForgotPassword() {
  const tr = useI18n();
  const { client } = useServices();
  const [email, setEmail] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await client.request('POST', '/v1/password-resets', { email });
      setSent(true);
    } catch (err) {
      setError(describeError(err, tr));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="forgot-h">
      <h1 id="forgot-h">{tr.t('mailLinks.forgotTitle')}</h1>
      {sent ? (
        <p role="status">{tr.t('mailLinks.resetSent')}</p>
      ) : (
        <form onSubmit={submit}>
          <p>{tr.t('mailLinks.forgotIntro')}</p>
          <Field label={tr.t('auth.email')} type="email" name="email" value={email} onInput={setEmail} required autoComplete="username" />
          <FormError>{error}</FormError>
          <button type="submit" disabled={busy}>
            {tr.t('mailLinks.sendReset')}
          </button>
        </form>
      )}
      <p>
        <a href="/login">{tr.t('auth.login')}</a>
      </p>
    </section>
  );
}

/** The page a reset mail links to: choose a new password. */
export function ResetPassword() {
  const tr = useI18n();
  const { client } = useServices();
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [token] = useState(linkToken);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await client.request('POST', '/v1/password-resets/complete', { token, password });
      setDone(true);
    } catch (err) {
      setError(describeError(err, tr));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="reset-h">
      <h1 id="reset-h">{tr.t('mailLinks.resetTitle')}</h1>
      {done ? (
        <p role="status">
          {tr.t('mailLinks.passwordSet')} <a href="/login">{tr.t('auth.login')}</a>
        </p>
      ) : (
        <form onSubmit={submit}>
          <Field
            label={tr.t('mailLinks.newPassword')}
            type="password"
            name="password"
            value={password}
            onInput={setPassword}
            required
            minLength={10}
            autoComplete="new-password"
            hint={tr.t('auth.passwordHint')}
          />
          <FormError>{error}</FormError>
          <button type="submit" disabled={busy || !token}>
            {tr.t('mailLinks.setPassword')}
          </button>
        </form>
      )}
    </section>
  );
}

/**
 * The page a verification mail links to. It verifies on a click, not on
 * load, so a mail scanner that opens links does not spend the link.
 */
export function VerifyEmail() {
  const tr = useI18n();
  const { client } = useServices();
  const session = useSession();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [token] = useState(linkToken);

  const confirm = async () => {
    setBusy(true);
    setError('');
    try {
      await client.request('POST', '/v1/email-verifications', { token });
      setDone(true);
      await session.refresh();
    } catch (err) {
      setError(describeError(err, tr));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="verify-h">
      <h1 id="verify-h">{tr.t('mailLinks.verifyTitle')}</h1>
      {done ? (
        <p role="status">
          {tr.t('mailLinks.verified')} <a href="/">{tr.t('mailLinks.toHome')}</a>
        </p>
      ) : (
        <>
          <p>{tr.t('mailLinks.verifyIntro')}</p>
          <FormError>{error}</FormError>
          <button type="button" onClick={confirm} disabled={busy || !token}>
            {tr.t('mailLinks.verify')}
          </button>
        </>
      )}
    </section>
  );
}

/** The page a guest's join mail links to: a click signs the guest in and joins the retro. */
export function GuestLink() {
  const tr = useI18n();
  const { client } = useServices();
  const session = useSession();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [token] = useState(linkToken);
  const [key] = useState(newUUID);

  const join = async () => {
    setBusy(true);
    setError('');
    try {
      const t = await client.request<{ retroId?: string }>('POST', '/v1/guest-links', { token }, { cookieSession: true });
      await session.refresh();
      const retroId = t?.retroId;
      if (retroId) {
        await client.request<Result>('POST', `/v1/retros/${encodeURIComponent(retroId)}/join`, undefined, { idempotencyKey: `${key}-join` });
        navigate(`/retros/${retroId}`);
      } else {
        navigate('/');
      }
    } catch (err) {
      setError(describeError(err, tr));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="guestlink-h">
      <h1 id="guestlink-h">{tr.t('join.title')}</h1>
      <p>{tr.t('mailLinks.guestIntro')}</p>
      <FormError>{error}</FormError>
      <button type="button" onClick={join} disabled={busy || !token}>
        {tr.t('join.submit')}
      </button>
    </section>
  );
}
