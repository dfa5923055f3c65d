import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, databaseUrlOf, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives the embedded defaults with an empty environment', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 8080,
      dataDir: './data',
      roles: ['api', 'worker', 'sip'],
      demo: true,
    });
    expect(databaseUrlOf(config)).toBe(`sqlite:${path.join('./data', 'callbridge.db')}`);
  });

  it('reads environment variables over the config file, and flags over both', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-config-'));
    const file = path.join(dir, 'callbridge.json');
    writeFileSync(file, JSON.stringify({ port: 7000, logLevel: 'debug', dataDir: '/var/lib/cb' }));
    const config = loadConfig({
      env: { CALLBRIDGE_CONFIG: file, CALLBRIDGE_PORT: '9090' },
      overrides: { dataDir: '/srv/cb' },
    });
    expect(config).toMatchObject({ port: 9090, logLevel: 'debug', dataDir: '/srv/cb' });
  });

  it('reports every problem at once, naming the variable and the rule', () => {
    const attempt = () =>
      loadConfig({
        env: {
          CALLBRIDGE_PORT: '99999',
          CALLBRIDGE_DATABASE_URL: 'mysql://x',
          CALLBRIDGE_ROLES: 'api,fax',
          CALLBRIDGE_PROT: '1',
        },
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('CALLBRIDGE_PORT');
      expect(problems).toContain('CALLBRIDGE_DATABASE_URL');
      expect(problems).toContain('unknown role(s) "fax"');
      expect(problems).toContain('CALLBRIDGE_PROT: unknown setting');
    }
  });

  it('refuses a secret key that is not 32 bytes of base64', () => {
    expect(() => loadConfig({ env: { CALLBRIDGE_SECRET_KEY: 'short' } })).toThrow(
      /CALLBRIDGE_SECRET_KEY.*32 bytes/s,
    );
  });

  it('refuses a config file that is not JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-config-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{ port: ');
    expect(() => loadConfig({ env: { CALLBRIDGE_CONFIG: file } })).toThrow(/cannot be read as JSON/);
  });
});
