import { defineConfig } from 'vitest/config';

// Two cores: keep parallelism modest so interop tests (Kamailio, PostgreSQL) keep their timing margins.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
