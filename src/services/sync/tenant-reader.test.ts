import { describe, expect, it } from 'vitest';
import { readAhead } from './tenant-reader.js';

/** Pages 1..n as a paged read would give them, noting when each was asked for. */
function pagedRead(n: number, log: string[], failAt?: number) {
  return (async function* () {
    for (let page = 1; page <= n; page++) {
      log.push(`asked ${page}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (page === failAt) throw new Error(`page ${page} failed`);
      yield [page];
    }
  })();
}

describe('readAhead', () => {
  it('asks for the next page while the current one is being stored, and yields every page in order', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const [page] of readAhead(pagedRead(3, log))) {
      log.push(`storing ${page!}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(page!);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(log.indexOf('asked 2')).toBeLessThan(log.indexOf('storing 1'));
    expect(log.indexOf('asked 3')).toBeLessThan(log.indexOf('storing 2'));
  });

  it('hands a failed read to the loop that is reading, after the pages before it', async () => {
    const seen: number[] = [];
    const reading = (async () => {
      for await (const [page] of readAhead(pagedRead(3, [], 2))) seen.push(page!);
    })();
    await expect(reading).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([1]);
  });
});
