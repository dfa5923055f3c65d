import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from './api-types.js';

describe("the portal's generated API types", () => {
  it('match what the routes describe now (run `npm run api:types` when this fails)', async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const current = await apiTypesSource();
    // A plain equality would print 8,000 lines; say which lines differ first.
    const a = committed.split('\n');
    const b = current.split('\n');
    const first = b.findIndex((line, i) => line !== a[i]);
    expect(
      first === -1 && a.length === b.length,
      `differs from line ${first + 1}: ${b[first] ?? '(end)'}`,
    ).toBe(true);
    expect(current).toContain("'/api/v1/accounts/{accountId}/health'");
  }, 60_000);
});
