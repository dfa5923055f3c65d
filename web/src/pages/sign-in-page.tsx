import { useState, type FormEvent } from 'react';
import { useSignIn } from '../api/queries.js';
import { TextField } from '../components/field.js';
import { ErrorNotice, PageTitle } from '../components/status.js';

/** Email and password; the API answers with a session cookie the page never sees. */
export function SignInPage() {
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email: email.trim(), password });
  };
  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate>
        <p className="brand brand-large">Callbridge</p>
        <PageTitle title="Sign in">Sign in</PageTitle>
        <p className="muted">Connect your PBX to Microsoft Teams.</p>
        <ErrorNotice error={signIn.error} />
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
