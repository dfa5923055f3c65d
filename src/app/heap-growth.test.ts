import { describe, expect, it } from 'vitest';
import { limitHeapGrowth } from './heap-growth.js';

describe('limitHeapGrowth', () => {
  it("leaves V8's heap growth to the operator who chose one in NODE_OPTIONS or on the command line", () => {
    expect(limitHeapGrowth(30, '--max-old-space-size=512 --heap-growing-percent=10')).toBe(false);
    expect(limitHeapGrowth(30, '--heap_growing_percent=10')).toBe(false);
  });

  it('sets it otherwise', () => {
    expect(limitHeapGrowth(30, '--enable-source-maps')).toBe(true);
  });
});
