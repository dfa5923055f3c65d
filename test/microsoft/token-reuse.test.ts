import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import { AuthorityUnavailableError, TokenError } from '../../src/microsoft/graph.error.js';
import { demoClient, startDemoEmulator } from './support/emulator.fixture.js';

const graphScope = 'https://graph.microsoft.com/.default';
const teamsScope = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default';

let emulator: RunningEmulator;
beforeEach(async () => {
  emulator = await startDemoEmulator();
});
afterEach(() => emulator.close());

describe('tokens and authority metadata', () => {
  it('shares one token request among concurrent calls and among clients of the same tenant and app', async () => {
    const first = demoClient(emulator);
    const ids = Array.from({ length: 16 }, (_, i) => demoUserId(i + 1));
    const modes = await Promise.all(ids.map((id) => first.getCoexistenceMode(id)));
    expect(modes.every((m) => m?.mode === 'TeamsOnly' || m?.mode === 'Islands')).toBe(true);
    await first.listSubscribedSkus();
    const second = demoClient(emulator);
    await Promise.all([second.getTenantCoexistenceMode(), second.listSubscribedSkus()]);
    expect(emulator.state.authRequests).toEqual({
      tokens: { [teamsScope]: 1, [graphScope]: 1 },
      discovery: 1,
    });
  });

  it('asks again once the token nears expiry (msal renews five minutes ahead)', async () => {
    emulator.state.tokenLifetimeSeconds = 60;
    const client = demoClient(emulator);
    await client.listSubscribedSkus();
    await client.listSubscribedSkus();
    expect(emulator.state.authRequests.tokens[graphScope]).toBe(2);
    // The authority's metadata is still read once.
    expect(emulator.state.authRequests.discovery).toBe(1);
  });

  it('says the authority could not be discovered, with its URL, instead of blaming the credentials', async () => {
    const wrongPath = demoClient(emulator, {}, { authorityHost: `${emulator.url}/login` });
    const error = await wrongPath.listSubscribedSkus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorityUnavailableError);
    expect(error).not.toBeInstanceOf(TokenError);
    const message = (error as Error).message;
    expect(message).toContain(`${emulator.url}/login/`);
    expect(message).toMatch(/could not be discovered: .*openid-configuration answered HTTP 400/);
    expect(message).not.toMatch(/refused the app's credentials/);

    const down = demoClient(emulator, {}, { authorityHost: 'http://127.0.0.1:9' });
    const unreachable = await down.listSubscribedSkus().catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(AuthorityUnavailableError);
    expect((unreachable as Error).message).toMatch(/http:\/\/127\.0\.0\.1:9\/.* could not be reached/);
  });
});
