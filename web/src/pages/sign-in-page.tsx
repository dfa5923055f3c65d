import { useState, type FormEvent } from 'react';
import { useSignInProviders } from '../api/access-queries.js';
import { useSignIn } from '../api/queries.js';
import { TextField } from '../components/field.js';
import { ErrorNotice, PageTitle } from '../components/status.js';
import { navigate, useLocation } from '../router.js';

/** Email and password, or Microsoft Entra ID when configured; the API answers with a session cookie. */
export function SignInPage() {
  const signIn = useSignIn();
  const providers = useSignInProviders();
  const { pathname, search } = useLocation();
  // A failed Microsoft sign-in comes back as /sign-in?error=<why>.
  const returnedError = search.get('error');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(
      { email: email.trim(), password },
      { onSuccess: () => pathname === '/sign-in' && navigate('/', { replace: true }) },
    );
  };
  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate>
        <p className="brand brand-large">Callbridge</p>
        <PageTitle title="Sign in">Sign in</PageTitle>
        <p className="muted">Connect your PBX to Microsoft Teams.</p>
        {returnedError && !signIn.error && (
          <div className="notice notice-error" role="alert">
            {returnedError}
          </div>
        )}
        <ErrorNotice error={signIn.error} />
        {providers.data?.entra && (
          <>
            <a className="button button-microsoft" href="/api/session/entra">
              Sign in with Microsoft
            </a>
            <p className="or-line">
              <span>or with email and password</span>
            </p>
          </>
        )}
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button-primary" disabled={signIn.isPending || !email || !password}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          The first administrator’s email and password are printed by the server when it starts for the first
          time.
        </p>
      </form>
    </main>
  );
}
