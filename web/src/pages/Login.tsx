import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices, useSession } from '../services';
import { Field, FormError } from '../ui/forms';
import { claimQuickRetro, QuickRetro, SingleSignOn } from './QuickRetro';

/**
 * Logs in with the session in an HttpOnly cookie (X-Session-Mode: cookie),
 * then adopts a quick retro this browser started, if any.
 */
export async function logIn(client: ReturnType<typeof useServices>['client'], email: string, password: string): Promise<void> {
  await client.request('POST', '/v1/sessions', { email, password }, { cookieSession: true });
  await claimQuickRetro(client);
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
    <>
      <AuthForm id="login" title={tr.t('auth.loginTitle')} submit={tr.t('auth.login')} onSubmit={submit} busy={busy} error={error}
        other={{ question: tr.t('auth.noAccount'), href: '/signup', label: tr.t('auth.signup') }}>
        <Field label={tr.t('auth.email')} type="email" name="email" value={email} onInput={setEmail} required autoComplete="username" />
        <Field label={tr.t('auth.password')} type="password" name="password" value={password} onInput={setPassword} required autoComplete="current-password" />
        <p>
          <a href="/forgot-password">{tr.t('mailLinks.forgotLink')}</a>
        </p>
        <SingleSignOn next={next} />
      </AuthForm>
      <QuickRetro />
    </>
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
    <AuthForm id="signup" title={tr.t('auth.signupTitle')} submit={tr.t('auth.signup')} onSubmit={submit} busy={busy} error={error}
      other={{ question: tr.t('auth.haveAccount'), href: '/login', label: tr.t('auth.login') }}>
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
    </AuthForm>
  );
}

interface AuthFormProps {
  id: string;
  title: string;
  submit: string;
  onSubmit: (e: Event) => void;
  busy: boolean;
  error: string;
  /** The link to the other form: "No account yet? Sign up". */
  other: { question: string; href: string; label: string };
  children: ComponentChildren;
}

/** The frame log-in and sign-up share: heading, fields, error, button, link to the other. */
function AuthForm(p: AuthFormProps) {
  return (
    <section class="card narrow" aria-labelledby={`${p.id}-h`}>
      <h1 id={`${p.id}-h`}>{p.title}</h1>
      <form onSubmit={p.onSubmit}>
        {p.children}
        <FormError>{p.error}</FormError>
        <button type="submit" disabled={p.busy}>
          {p.submit}
        </button>
      </form>
      <p>
        {p.other.question} <a href={p.other.href}>{p.other.label}</a>
      </p>
    </section>
  );
}
