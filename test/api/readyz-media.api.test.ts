import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

describe.each(DIALECTS)('/readyz names the media relay on %s', (dialect) => {
  let t: TestApp;
  let relay: RtpengineRelay;

  beforeAll(async () => {
    relay = await RtpengineRelay.open({
      unavailableReason:
        'rtpengine is not installed (/usr/bin/rtpengine not found) and CALLBRIDGE_RTPENGINE is not set.',
    });
    t = await createTestApp(dialect, { server: { mediaStatus: () => relay.status() } });
  });
  afterAll(async () => {
    relay?.close();
    await t?.close();
  });

  it('says why calls are refused, without making the API unready', async () => {
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      database: dialect,
      media: {
        state: 'unavailable',
        reason:
          'rtpengine is not installed (/usr/bin/rtpengine not found) and CALLBRIDGE_RTPENGINE is not set.',
      },
    });
  });
});
