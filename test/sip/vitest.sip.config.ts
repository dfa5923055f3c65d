import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// SIP and call tests only, without the shared PostgreSQL global setup: `npx vitest run -c test/sip/vitest.sip.config.ts`.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: [
      'src/sip/**/*.test.ts',
      'test/sip/**/*.test.ts',
      'src/emulator/teams-sip/**/*.test.ts',
      'src/edge/**/*.test.ts',
      'src/calls/**/*.test.ts',
      'test/calls/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
