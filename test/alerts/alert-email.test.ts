import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService } from '../support/store-fixtures.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

/** Alerts by email (the existing mailer): a real SMTP server on loopback receives the opened and resolved mail. */
describe('alerts by email', () => {
  let t: TestApp;
  let smtp: SMTPServer;
  const mails: { to: string; text: string }[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text });
          callback();
        });
      },
    });
    const port = await new Promise<number>((resolve) =>
      smtp.listen(0, '127.0.0.1', () => resolve((smtp.server.address() as { port: number }).port)),
    );
    t = await createTestApp('sqlite', {
      config: { smtpUrl: `smtp://127.0.0.1:${port}`, publicUrl: 'https://portal.example.test' },
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('mails the NOC when a sync fails and again when it recovers, only for the kinds it asked for', async () => {
    const { client, service } = await clientWithPbxService(t.ctx.store, 'Adatum', { name: 'Adatum PBX' });
    await t.ctx.services.alertSubscriptions.create(system, client.id, {
      channel: 'email',
      name: 'NOC',
      email: 'noc@adatum.example',
      kinds: ['sync_failed'],
    });
    await t.ctx.services.alertSubscriptions.create(system, client.id, {
      channel: 'email',
      name: 'Billing',
      email: 'billing@adatum.example',
      kinds: ['trial_expiring'],
    });
    const runs = t.ctx.store.repos.syncRuns;
    const run = async (state: 'failed' | 'succeeded') => {
      const created = await runs.create({
        accountId: client.id,
        serviceId: service.id,
        dryRun: false,
        diagnostic: false,
        trigger: 'schedule',
        startedBy: 'schedule',
      });
      await runs.update(created.id, {
        state,
        finishedAt: new Date().toISOString(),
        ...(state === 'failed' && { error: 'Microsoft could not be reached' }),
      });
    };
    const worker = t.ctx.createWorker({ retryBaseMs: 10 });
    await run('failed');
    await t.ctx.alerts.evaluator.evaluate();
    await worker.drain();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe('noc@adatum.example');
    expect(mails[0]!.text).toContain('Subject: [Callbridge] Adatum PBX: sync failed');
    expect(mails[0]!.text).toContain('Microsoft could not be reached');
    expect(mails[0]!.text).toContain('https://portal.example.test/alerts');

    await run('succeeded');
    await t.ctx.alerts.evaluator.evaluate();
    await worker.drain();
    expect(mails).toHaveLength(2);
    expect(mails[1]!.text).toContain('Subject: [Callbridge] Resolved: Adatum PBX: sync failed');
  });
});
