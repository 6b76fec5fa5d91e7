import { useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices, useSession } from '../services';
import { Field, FormError } from '../ui/forms';

/** Logs in with the session in an HttpOnly cookie (X-Session-Mode: cookie). */
export async function logIn(client: ReturnType<typeof useServices>['client'], email: string, password: string): Promise<void> {
  await client.request('POST', '/v1/sessions', { email, password }, { cookieSession: true });
}

export function Login({ next }: { next?: string | undefined }) {
  const tr = useI18n();
  const { client } = useServices();
  const session = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await logIn(client, email, password);
      await session.refresh();
      navigate(next ?? '/');
    } catch (err) {
      setError(describeError(err, tr));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="login-h">
      <h1 id="login-h">{tr.t('auth.loginTitle')}</h1>
      <form onSubmit={submit}>
        <Field label={tr.t('auth.email')} type="email" name="email" value={email} onInput={setEmail} required autoComplete="username" />
        <Field label={tr.t('auth.password')} type="password" name="password" value={password} onInput={setPassword} required autoComplete="current-password" />
        <FormError>{error}</FormError>
        <button type="submit" disabled={busy}>
          {tr.t('auth.login')}
        </button>
      </form>
      <p>
        {tr.t('auth.noAccount')} <a href="/signup">{tr.t('auth.signup')}</a>
      </p>
    </section>
  );
}

export function Signup() {
  const tr = useI18n();
  const { client } = useServices();
  const session = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await client.request('POST', '/v1/accounts', { email, password, name });
    } catch (err) {
      setError(describeError(err, tr));
      setBusy(false);
      return;
    }
    // The server answers sign-up the same whether or not the address was
    // taken, so only logging in tells whether this password opens it.
    try {
      await logIn(client, email, password);
      await session.refresh();
      navigate('/');
    } catch {
      setError(tr.t('auth.signupThenLoginFailed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="signup-h">
      <h1 id="signup-h">{tr.t('auth.signupTitle')}</h1>
      <form onSubmit={submit}>
        <Field label={tr.t('auth.name')} name="name" value={name} onInput={setName} required autoComplete="name" maxLength={200} />
        <Field label={tr.t('auth.email')} type="email" name="email" value={email} onInput={setEmail} required autoComplete="username" />
        <Field
          label={tr.t('auth.password')}
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
        <button type="submit" disabled={busy}>
          {tr.t('auth.signup')}
        </button>
      </form>
      <p>
        {tr.t('auth.haveAccount')} <a href="/login">{tr.t('auth.login')}</a>
      </p>
    </section>
  );
}
