import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource, openApiDocument } from './api-types.js';

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

  it('describes every parameter with a schema object, as OpenAPI requires', async () => {
    const document = await openApiDocument();
    const broken: string[] = [];
    for (const [route, item] of Object.entries(document.paths ?? {}))
      for (const [method, operation] of Object.entries(item as Record<string, { parameters?: unknown[] }>))
        for (const p of operation.parameters ?? []) {
          const { name, schema } = p as { name?: string; schema?: unknown };
          if (typeof schema !== 'object' || schema === null || name === 'additionalProperties')
            broken.push(`${method.toUpperCase()} ${route} ${name}`);
        }
    expect(broken).toEqual([]);
    const callbackItem = document.paths?.['/api/v1/consent/callback'] as {
      get?: { parameters?: { name: string }[] };
    };
    expect((callbackItem.get?.parameters ?? []).map((p) => p.name)).toEqual(
      expect.arrayContaining(['state', 'admin_consent', 'tenant', 'code', 'error']),
    );
  }, 60_000);
});
