// Worker-thread launcher: registers tsx in the new thread (loader hooks are per thread), then runs the TypeScript
// module named by workerData.entry, as bin/callbridge.js does for the main thread.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
register();
await import(workerData.entry);
