import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

describe.each(DIALECTS)(
  'numbers API (ranges, service numbers, caller IDs, shared numbers) on %s',
  (dialect) => {
    let t: TestApp;
    let partnerId: string;
    let sequence = 0;
    const call = async (method: Method, url: string, payload?: object | string, contentType?: string) => {
      const response = await t.app.inject({
        method,
        url: `/api/v1${url}`,
        headers: {
          authorization: `Bearer ${t.token}`,
          ...(contentType && { 'content-type': contentType }),
        },
        ...(payload !== undefined && { payload }),
      });
      return {
        status: response.statusCode,
        body: String(response.headers['content-type']).includes('json') ? response.json() : null,
        text: response.body,
      };
    };

    /** A client account beneath the partner with a trunk service (GB) and the users given (email -> name). */
    async function clientWithTrunk(users: string[] = [], parentId = partnerId) {
      sequence += 1;
      const client = (
        await call('POST', '/accounts', { name: `Client ${sequence}`, kind: 'client', parentId })
      ).body;
      for (const sku of ['pbx_user', 'trunk_user'] as const)
        await t.ctx.services.subscriptions.create(system, client.id, { sku, quantity: 100 });
      const trunk = (
        await call('POST', `/accounts/${client.id}/services`, {
          kind: 'trunk',
          name: 'Trunk',
          sipDomain: 'trunk.example.net',
          country: 'GB',
        })
      ).body;
      const created: Record<string, { id: string }> = {};
      for (const email of users) {
        created[email] = (
          await call('POST', `/accounts/${client.id}/users`, {
            serviceId: trunk.id,
            email,
            displayName: email.split('@')[0],
          })
        ).body;
      }
      return { accountId: client.id as string, serviceId: trunk.id as string, users: created };
    }

    beforeAll(async () => {
      t = await createTestApp(dialect);
      partnerId = (await call('POST', '/accounts', { name: 'Provider', kind: 'partner' })).body.id;
    });
    afterAll(() => t.close());

    it('adds ranges with counts, refuses overlaps naming the range, and takes a single number', async () => {
      const { accountId, serviceId } = await clientWithTrunk();
      const added = await call('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
        start: '+441235123400',
        end: '+44 1235 123499',
      });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({
        start: '+441235123400',
        end: '+441235123499',
        size: 100,
        used: 0,
        reserved: 0,
        free: 100,
        warnings: [],
      });
      const single = await call('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
        start: '+441235123600',
      });
      expect(single.body).toMatchObject({ start: '+441235123600', end: '+441235123600', size: 1 });

      // Another trunk service of the same account: ranges may not overlap anywhere in the account.
      const second = (
        await call('POST', `/accounts/${accountId}/services`, {
          kind: 'trunk',
          name: 'Second trunk',
          sipDomain: 'trunk2.example.net',
          country: 'GB',
        })
      ).body;
      const overlap = await call('POST', `/accounts/${accountId}/services/${second.id}/number-ranges`, {
        start: '+441235123450',
        end: '+441235123549',
      });
      expect(overlap.status).toBe(409);
      expect(overlap.body.code).toBe('conflict');
      expect(overlap.body.message).toContain('overlaps the existing range +441235123400 to +441235123499');
      expect(overlap.body.message).toContain('50 numbers in common');
      expect(overlap.body.details.overlapping).toMatchObject({ id: added.body.id });

      // Another customer may hold the same range (the provider-wide report shows such numbers when used).
      const other = await clientWithTrunk();
      const elsewhere = await call(
        'POST',
        `/accounts/${other.accountId}/services/${other.serviceId}/number-ranges`,
        {
          start: '+441235123400',
          end: '+441235123499',
        },
      );
      expect(elsewhere.status).toBe(201);

      const listed = await call('GET', `/accounts/${accountId}/services/${serviceId}/number-ranges`);
      expect(listed.body.items.map((r: { start: string; size: number }) => [r.start, r.size])).toEqual([
        ['+441235123400', 100],
        ['+441235123600', 1],
      ]);
      const audit = await t.ctx.services.audit.list(system, accountId, {
        objectType: 'number_range',
        limit: 10,
      });
      expect(audit.map((entry) => entry.action)).toEqual(['number_range.create', 'number_range.create']);
    });

    it('refuses bad ranges saying what is wrong and how to fix it, and writes nothing', async () => {
      const { accountId, serviceId } = await clientWithTrunk();
      const url = `/accounts/${accountId}/services/${serviceId}/number-ranges`;
      const national = await call('POST', url, { start: '01235 123400', end: '+441235123499' });
      expect(national.status).toBe(400);
      expect(national.body).toMatchObject({
        code: 'invalid_phone_number',
        details: { field: 'start', fix: '+441235123400' },
      });
      expect(national.body.message).toContain('The telephone number provided is not valid');
      const backwards = await call('POST', url, { start: '+441235123499', end: '+441235123400' });
      expect(backwards.body).toMatchObject({ code: 'validation_failed', details: { field: 'end' } });
      expect(backwards.body.message).toContain('Swap the two numbers');
      const huge = await call('POST', url, { start: '+441235000000', end: '+441235199999' });
      expect(huge.status).toBe(400);
      expect(huge.body.message).toContain('holds 200,000 numbers; at most 100,000 are allowed in one range');
      const missing = await call('POST', url, { end: '+441235123400' });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body)).toContain('start');

      const pbx = (
        await call('POST', `/accounts/${accountId}/services`, { name: 'PBX', sipDomain: 'pbx.example.net' })
      ).body;
      const onPbx = await call('POST', `/accounts/${accountId}/services/${pbx.id}/number-ranges`, {
        start: '+441235123400',
      });
      expect(onPbx.status).toBe(400);
      expect(onPbx.body.message).toContain(
        'Number ranges belong to SIP trunk services, and "PBX" is a PBX service',
      );
      const unknown = await call(
        'POST',
        `/accounts/${accountId}/services/00000000-0000-4000-8000-000000000000/number-ranges`,
        { start: '+441235123400' },
      );
      expect(unknown.status).toBe(404);

      expect((await call('GET', url)).body.items).toEqual([]);
      expect(
        await t.ctx.services.audit.list(system, accountId, { objectType: 'number_range', limit: 10 }),
      ).toEqual([]);
    });

    it('gives trunk users numbers from the ranges, counts them, hands out the next free one, and guards deletion', async () => {
      const { accountId, serviceId, users } = await clientWithTrunk([
        'anna@contoso.example',
        'bo@contoso.example',
      ]);
      const anna = users['anna@contoso.example']!;
      const outside = await call('PATCH', `/accounts/${accountId}/users/${anna.id}`, {
        phoneNumber: '+441235123401',
      });
      expect(outside.status).toBe(400);
      expect(outside.body.details.field).toBe('phoneNumber');
      expect(outside.body.message).toContain('The service has no number ranges yet');

      const range = (
        await call('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
          start: '+441235123400',
          end: '+441235123409',
        })
      ).body;
      const nextBefore = await call(
        'GET',
        `/accounts/${accountId}/number-ranges/${range.id}/next-free?count=2`,
      );
      expect(nextBefore.body.numbers.map((n: { number: string }) => n.number)).toEqual([
        '+441235123400',
        '+441235123401',
      ]);
      expect(
        (await call('PATCH', `/accounts/${accountId}/users/${anna.id}`, { phoneNumber: '+441235123400' }))
          .status,
      ).toBe(200);
      const withExtension = await call('PATCH', `/accounts/${accountId}/users/${anna.id}`, {
        phoneNumber: '+441235123401;ext=5',
      });
      expect(withExtension.status).toBe(400);
      expect(withExtension.body.message).toContain('no PBX to route extensions');
      const bo = users['bo@contoso.example']!;
      expect(
        (await call('PATCH', `/accounts/${accountId}/users/${bo.id}`, { phoneNumber: '+441235123402' })).body
          .numberType,
      ).toBe('trunk');

      const counted = await call('GET', `/accounts/${accountId}/number-ranges/${range.id}`);
      expect(counted.body).toMatchObject({ size: 10, used: 2, reserved: 0, free: 8 });
      const next = await call(
        'GET',
        `/accounts/${accountId}/services/${serviceId}/number-ranges/next-free?count=2`,
      );
      expect(next.body.numbers).toEqual([
        { number: '+441235123401', rangeId: range.id },
        { number: '+441235123403', rangeId: range.id },
      ]);
      expect(
        (await call('GET', `/accounts/${accountId}/number-ranges/${range.id}/next-free?count=0`)).status,
      ).toBe(400);

      const refused = await call('DELETE', `/accounts/${accountId}/number-ranges/${range.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('precondition_failed');
      expect(refused.body.message).toContain('2 of its numbers are in use');
      expect(refused.body.message).toContain('+441235123400 (anna <anna@contoso.example>)');
      expect(refused.body.details.users.map((u: { email: string }) => u.email)).toEqual([
        'anna@contoso.example',
        'bo@contoso.example',
      ]);

      for (const user of [anna, bo])
        await call('PATCH', `/accounts/${accountId}/users/${user.id}`, { phoneNumber: null });
      expect((await call('DELETE', `/accounts/${accountId}/number-ranges/${range.id}`)).status).toBe(204);
      expect((await call('GET', `/accounts/${accountId}/number-ranges/${range.id}`)).status).toBe(404);
      const audit = await t.ctx.services.audit.list(system, accountId, {
        objectType: 'number_range',
        limit: 10,
      });
      expect(audit.map((entry) => entry.action)).toEqual(['number_range.delete', 'number_range.create']);
    });

    it('says when a range is full', async () => {
      const { accountId, serviceId, users } = await clientWithTrunk(['solo@contoso.example']);
      const range = (
        await call('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
          start: '+441235123700',
        })
      ).body;
      await call('PATCH', `/accounts/${accountId}/users/${users['solo@contoso.example']!.id}`, {
        phoneNumber: '+441235123700',
      });
      const full = await call('GET', `/accounts/${accountId}/number-ranges/${range.id}/next-free`);
      expect(full.status).toBe(409);
      expect(full.body.message).toContain('No free number: every number of +441235123700 is held');
    });

    it('keeps service numbers per account, lets trunk users show one as caller ID, and guards their deletion', async () => {
      const { accountId, serviceId, users } = await clientWithTrunk(['cy@contoso.example']);
      const cy = users['cy@contoso.example']!;
      const range = (
        await call('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
          start: '+441235123400',
          end: '+441235123409',
        })
      ).body;
      const url = `/accounts/${accountId}/services/${serviceId}/service-numbers`;
      const main = await call('POST', url, { number: '+44 1235 123400', label: 'Main number' });
      expect(main.status).toBe(201);
      expect(main.body).toMatchObject({ number: '+441235123400', label: 'Main number' });
      const again = await call('POST', url, { number: '+441235123400', label: 'Again' });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain(
        '+441235123400 is already a service number ("Main number") of this trunk',
      );
      expect((await call('POST', url, { number: '+441235123401', label: ' ' })).status).toBe(400);
      expect((await call('POST', url, { number: 'reception', label: 'Reception' })).body.code).toBe(
        'invalid_phone_number',
      );
      expect((await call('GET', url)).body.items.map((n: { number: string }) => n.number)).toEqual([
        '+441235123400',
      ]);

      // The service number is reserved: not free for a user.
      expect((await call('GET', `/accounts/${accountId}/number-ranges/${range.id}`)).body).toMatchObject({
        used: 0,
        reserved: 1,
        free: 9,
      });
      expect(
        (await call('GET', `/accounts/${accountId}/number-ranges/${range.id}/next-free`)).body.numbers[0]
          .number,
      ).toBe('+441235123401');

      const shown = await call('PATCH', `/accounts/${accountId}/users/${cy.id}`, {
        phoneNumber: '+441235123401',
        callerId: '+441235123400',
      });
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ phoneNumber: '+441235123401', callerId: '+441235123400' });
      const stranger = await call('PATCH', `/accounts/${accountId}/users/${cy.id}`, {
        callerId: '+441235999999',
      });
      expect(stranger.status).toBe(400);
      expect(stranger.body.details.field).toBe('callerId');
      expect(stranger.body.message).toContain('The service numbers are +441235123400');
      const own = await call('PATCH', `/accounts/${accountId}/users/${cy.id}`, { callerId: '+441235123401' });
      expect(own.body.callerId).toBe('+441235123401');
      // A caller ID that is the user's own number follows the number.
      const moved = await call('PATCH', `/accounts/${accountId}/users/${cy.id}`, {
        phoneNumber: '+441235123402',
      });
      expect(moved.body).toMatchObject({ phoneNumber: '+441235123402', callerId: '+441235123402' });
      await call('PATCH', `/accounts/${accountId}/users/${cy.id}`, { callerId: '+441235123400' });
      expect((await call('GET', `/accounts/${accountId}/users/${cy.id}`)).body.callerId).toBe(
        '+441235123400',
      );

      const refused = await call('DELETE', `/accounts/${accountId}/service-numbers/${main.body.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('1 user shows it as caller ID: cy <cy@contoso.example>');
      await call('PATCH', `/accounts/${accountId}/users/${cy.id}`, { callerId: null });
      expect((await call('DELETE', `/accounts/${accountId}/service-numbers/${main.body.id}`)).status).toBe(
        204,
      );
      expect((await call('GET', url)).body.items).toEqual([]);
      const audit = await t.ctx.services.audit.list(system, accountId, {
        objectType: 'service_number',
        limit: 10,
      });
      expect(audit.map((entry) => entry.action)).toEqual(['service_number.delete', 'service_number.create']);

      const pbx = (
        await call('POST', `/accounts/${accountId}/services`, { name: 'PBX', sipDomain: 'pbx.example.net' })
      ).body;
      const onPbx = await call('POST', `/accounts/${accountId}/services/${pbx.id}/service-numbers`, {
        number: '+441235123400',
        label: 'Main',
      });
      expect(onPbx.body.message).toContain('Service numbers belong to SIP trunk services');
      const pbxUser = await call('POST', `/accounts/${accountId}/users`, {
        serviceId: pbx.id,
        email: 'di@contoso.example',
        displayName: 'Di',
        callerId: '+441235123400',
      });
      expect(pbxUser.status).toBe(400);
      expect(pbxUser.body.message).toContain('the PBX presents the caller ID');
    });

    it('filters users by number type', async () => {
      const { accountId, serviceId, users } = await clientWithTrunk(['eve@contoso.example']);
      await call('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
        start: '+441235123800',
      });
      await call('PATCH', `/accounts/${accountId}/users/${users['eve@contoso.example']!.id}`, {
        phoneNumber: '+441235123800',
      });
      const pbx = (
        await call('POST', `/accounts/${accountId}/services`, { name: 'PBX', sipDomain: 'pbx.example.net' })
      ).body;
      for (const [email, phoneNumber] of [
        ['fay@contoso.example', '+441235555000'],
        ['gus@contoso.example', '+441235555100;ext=201'],
      ])
        await call('POST', `/accounts/${accountId}/users`, {
          serviceId: pbx.id,
          email,
          displayName: email,
          phoneNumber,
        });
      const emailsOf = async (numberType: string) => {
        const page = (await call('GET', `/accounts/${accountId}/users?numberType=${numberType}`)).body as {
          items: { email: string }[];
        };
        return page.items.map((u) => u.email);
      };
      expect(await emailsOf('trunk')).toEqual(['eve@contoso.example']);
      expect(await emailsOf('ddi')).toEqual(['fay@contoso.example']);
      expect(await emailsOf('extension')).toEqual(['gus@contoso.example']);
      const bad = await call('GET', `/accounts/${accountId}/users?numberType=mobile`);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('numberType');
    });

    it('imports and exports the trunk template with Caller ID, checked against the ranges and service numbers', async () => {
      const { accountId, serviceId, users } = await clientWithTrunk([
        'hal@contoso.example',
        'ida@contoso.example',
      ]);
      await call('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
        start: '+441235123400',
        end: '+441235123499',
      });
      await call('POST', `/accounts/${accountId}/services/${serviceId}/service-numbers`, {
        number: '+441235123400',
        label: 'Main',
      });
      const importCsv = (rows: string[], dryRun: boolean) =>
        call(
          'POST',
          `/accounts/${accountId}/services/${serviceId}/import?dryRun=${dryRun}`,
          ['TrunkNumber,Name,Email,Caller ID,ExternalId', ...rows].join('\r\n'),
          'text/csv',
        );
      const refused = await importCsv(
        ['441235123410,Hal,hal@contoso.example,+441235123999,', '+441235129999,Ida,ida@contoso.example,,'],
        true,
      );
      expect(refused.body.plan.ok).toBe(false);
      const errors = refused.body.plan.issues.filter((i: { severity: string }) => i.severity === 'error');
      expect(errors.map((i: { row: number; column: string }) => [i.row, i.column])).toEqual([
        [2, 'Caller ID'],
        [3, 'TrunkNumber'],
      ]);

      const applied = await importCsv(
        ['441235123410,Hal,hal@contoso.example,+441235123400,', '+441235123411,Ida,ida@contoso.example,,'],
        false,
      );
      expect(applied.body.applied).toBe(true);
      const hal = (await call('GET', `/accounts/${accountId}/users/${users['hal@contoso.example']!.id}`))
        .body;
      expect(hal).toMatchObject({
        phoneNumber: '+441235123410',
        numberType: 'trunk',
        callerId: '+441235123400',
      });
      const exported = await call('GET', `/accounts/${accountId}/services/${serviceId}/export`);
      expect(exported.text).toContain('TrunkNumber,Name,Email,Caller ID,ExternalId');
      expect(exported.text).toContain('+441235123410,hal,hal@contoso.example,+441235123400,');
      expect(exported.text).toContain('+441235123411,ida,ida@contoso.example,,');
    });

    it("reports numbers held in more than one of a partner's customer accounts, at any depth", async () => {
      const reseller = (
        await call('POST', '/accounts', { name: 'Reseller', kind: 'partner', parentId: partnerId })
      ).body;
      const holders: [string, string][] = [];
      for (const [parent, email] of [
        [partnerId, 'jo@one.example'],
        [reseller.id, 'kim@two.example'],
      ] as const) {
        const client = await clientWithTrunk([email], parent);
        await call('POST', `/accounts/${client.accountId}/services/${client.serviceId}/number-ranges`, {
          start: '+441235987600',
          end: '+441235987609',
        });
        await call('PATCH', `/accounts/${client.accountId}/users/${client.users[email]!.id}`, {
          phoneNumber: '+441235987601',
        });
        holders.push([client.accountId, email]);
      }
      const report = await call('GET', `/accounts/${partnerId}/shared-numbers`);
      expect(report.status).toBe(200);
      const entry = report.body.items.find((item: { number: string }) => item.number === '+441235987601');
      expect(entry.accountCount).toBe(2);
      expect(
        entry.holders.map((h: { accountId: string; email: string }) => [h.accountId, h.email]).sort(),
      ).toEqual([...holders].sort());
      expect(entry.holders[0].lineUri).toBe('tel:+441235987601');
      // Beneath the reseller only one customer holds it.
      const below = await call('GET', `/accounts/${reseller.id}/shared-numbers`);
      expect(below.body.items.some((item: { number: string }) => item.number === '+441235987601')).toBe(
        false,
      );
      const client = await call('GET', `/accounts/${holders[0]![0]}/shared-numbers`);
      expect(client.status).toBe(400);
      expect(client.body.message).toContain('is a client account');
    });
  },
);
