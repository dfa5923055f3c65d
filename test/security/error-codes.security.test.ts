import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue 14, "the rest of the same probe": malformed JSON, a body too large and an unsupported content type were all
 * answered `validation_failed` without details. Each has its own code now, and details a client can act on.
 */
describe('malformed JSON, too large and unsupported media type answers', () => {
  let t: TestApp;
  const auth = () => ({ authorization: `Bearer ${t.token}` });
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('answers malformed JSON with malformed_json and where the JSON broke', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"name": "Contoso", "kind": ',
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('malformed_json');
    expect(body.message).toMatch(/not valid JSON/);
    expect(body.details).toMatchObject({ contentType: 'application/json' });
  });

  it('answers an empty JSON body with malformed_json', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('malformed_json');
  });

  it('answers an unsupported content type with unsupported_media_type naming what was sent and what is taken', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { ...auth(), 'content-type': 'application/xml' },
      payload: '<account/>',
    });
    expect(response.statusCode).toBe(415);
    const body = response.json();
    expect(body.code).toBe('unsupported_media_type');
    expect(body.details).toMatchObject({ contentType: 'application/xml' });
    expect(body.message).toContain('application/json');
  });

  it('answers a body over the route limit with payload_too_large and the limit in bytes', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), kind: 'partner' }),
    });
    expect(response.statusCode).toBe(413);
    const body = response.json();
    expect(body.code).toBe('payload_too_large');
    expect(body.details.limitBytes).toBeGreaterThan(0);
    expect(body.details.limitBytes).toBeLessThan(2 * 1024 * 1024);
  });
});
