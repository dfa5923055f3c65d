import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './support/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let server: PostgresServer | undefined;

/** One real PostgreSQL server for the whole run; each test file makes its own database in it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return async () => {
    await server?.stop();
  };
}
