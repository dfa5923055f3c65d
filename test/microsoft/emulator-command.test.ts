import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/emulator/demo-tenant.seed.js';
import { collect, demoClient } from './support/emulator.fixture.js';

describe('callbridge emulator (command)', () => {
  it('serves the demo tenant and generated tenants until stopped', async () => {
    const script =
      "import { emulatorCommand } from './src/cli/emulator.command.ts'; await emulatorCommand().parseAsync(process.argv);";
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        'emulator',
        '--port',
        '0',
        '--tenants',
        '2',
        '--users',
        '120',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const output: string[] = [];
      for await (const line of lines) {
        output.push(line);
        if (line.includes('demo app:')) break;
      }
      const url = /listening on (http:\/\/\S+)/.exec(output[0]!)![1]!;
      expect(output.filter((l) => l.includes('(120 users)'))).toHaveLength(2);
      const emulator = { url, teamsAdminUrl: `${url}/teams-admin` } as Parameters<typeof demoClient>[0];
      const { items } = await collect(demoClient(emulator).listUsers());
      expect(items).toHaveLength(50);
      expect(output.join('\n')).toContain(DEMO_TENANT_ID);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
