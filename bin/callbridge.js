#!/usr/bin/env node
// Launcher: registers tsx so the TypeScript sources run directly (no build step between `npm ci` and use),
// then hands over to the CLI.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
