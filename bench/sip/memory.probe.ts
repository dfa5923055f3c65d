import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and RSS after a full garbage collection, in bytes. */
export interface MemorySample {
  heapUsed: number;
  rss: number;
}

/** Collect garbage a few times and sample memory (no --expose-gc flag needed on the command line). */
export async function settledMemory(): Promise<MemorySample> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, rss: usage.rss };
}
