import { z } from 'zod';
import { graphError, ok, type EmResponse, type Route, type RouteContext } from '../emulator.http.js';
import type { EmulatedCall, TeamsSipEmulator } from './teams-sip.emulator.js';

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be a number in +E.164, e.g. +442071234567');

const callInput = z.strictObject({
  from: e164.describe("The calling Teams user's number"),
  to: e164.describe('The number called (a PBX extension behind the SBC)'),
  sbcFqdn: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name')
    .optional()
    .describe("The SBC (gateway) to use; default the one the caller's voice route names"),
});

const faultsInput = z.strictObject({
  inviteStatuses: z.array(z.number().int().min(300).max(699)).default([]),
  retryAfterSeconds: z.number().int().min(0).max(3600).default(5),
  silentInvites: z.number().int().min(0).default(0),
  dropOptions: z.boolean().default(false),
});

const behaviourInput = z.strictObject({
  devices: z.number().int().min(1).max(8).optional(),
  earlyMedia: z.boolean().optional(),
  outcome: z.enum(['answer', 'decline', 'busy', 'unavailable', 'ring', 'manual']).optional(),
  afterMs: z.number().int().min(0).max(600_000).optional(),
});

const transferInput = z.strictObject({
  target: z
    .string()
    .min(1)
    .describe('The Teams user to transfer to: their number (+E.164) or Entra object id'),
});

/** A call as the control API lists it. */
export function callView(call: EmulatedCall) {
  const state = call.dialog
    ? call.held
      ? 'held'
      : 'established'
    : call.status === undefined
      ? 'ringing'
      : call.status >= 200 && call.status < 300
        ? 'ended'
        : 'failed';
  return {
    callId: call.callId,
    direction: call.direction,
    from: call.from ?? null,
    to: call.to ?? null,
    sbcFqdn: call.sbcFqdn ?? null,
    state,
    status: call.status ?? null,
    refusal: call.refusal ?? null,
  };
}

type Emulator = () => TeamsSipEmulator | undefined;

/** Runs a handler with the running SIP emulator, turning bad input into 400 and an unknown call into 404. */
function withSip(
  emulator: Emulator,
  handler: (ctx: RouteContext, sip: TeamsSipEmulator) => Promise<EmResponse>,
) {
  return async (ctx: RouteContext): Promise<EmResponse> => {
    const sip = emulator();
    if (!sip)
      return graphError(503, 'ServiceUnavailable', 'The Teams SIP emulator is not running in this emulator.');
    try {
      return await handler(ctx, sip);
    } catch (error) {
      if (error instanceof z.ZodError) return graphError(400, 'BadRequest', z.prettifyError(error));
      const message = error instanceof Error ? error.message : String(error);
      if (message.startsWith('No emulated call')) return graphError(404, 'NotFound', message);
      return graphError(409, 'Conflict', message);
    }
  };
}

/** The call named in the path, or a 404. */
function callOf(ctx: RouteContext, sip: TeamsSipEmulator): EmulatedCall {
  return sip.find(ctx.params[0]!);
}

/** The SBC a Teams user's call goes to: the one asked for, else the gateway of the caller's voice route. */
function gatewayOf(sip: TeamsSipEmulator, input: z.output<typeof callInput>): string {
  if (input.sbcFqdn) return input.sbcFqdn.toLowerCase();
  const route = sip.directory.routeCall?.(input.from, input.to);
  if (!route) throw new Error('This directory has no voice routes: name the SBC in `sbcFqdn`.');
  if ('error' in route) throw new Error(route.error);
  return route.gateways[0]!;
}

/**
 * A transfer target: a number is looked up among the tenant's Teams users (their object id), a number no Teams
 * user has is a phone number (Teams' MRI `4:<number>`), anything else is an object id.
 */
function orgIdOf(sip: TeamsSipEmulator, call: EmulatedCall, target: string): string {
  if (!target.startsWith('+')) return target;
  const tenantId = sip.directory.tenantOfDomain(call.sbcFqdn ?? '');
  const user = tenantId ? sip.directory.userByNumber(tenantId, target) : undefined;
  return user ? user.userId : `4:${target}`;
}

const c = (rest: string) => new RegExp(`^\\/_emulator\\/teams-sip\\/calls\\/([^/]+)${rest}$`);

/**
 * `/_emulator/teams-sip/...`: the Teams SIP emulator's control API, beside the Graph emulator's admin routes. A
 * Teams user calls a number (through the SBC its voice route names), answers, declines, holds, resumes,
 * transfers (REFER in Microsoft's shape, or internally when the SBC did not list REFER), replaces a call (INVITE
 * with Replaces, as call queues do) or hangs up; calls are
 * listed; faults are injected (final statuses for the next INVITEs, silent INVITEs, dropped OPTIONS).
 *
 * @example startEmulator({ seed, routes: teamsSipControlRoutes(() => sipEmulator) })
 */
export function teamsSipControlRoutes(emulator: Emulator): Route[] {
  const route = (method: string, pattern: RegExp, handler: Parameters<typeof withSip>[1]): Route => ({
    method,
    pattern,
    handler: withSip(emulator, handler),
  });
  return [
    route('GET', /^\/_emulator\/teams-sip$/, async (_ctx, sip) =>
      ok({ port: sip.port, trunks: sip.health.list(), faults: sip.faults }),
    ),
    route('GET', /^\/_emulator\/teams-sip\/calls$/, async (_ctx, sip) =>
      ok({ value: sip.calls.map(callView) }),
    ),
    route('POST', /^\/_emulator\/teams-sip\/calls$/, async (ctx, sip) => {
      const input = callInput.parse(ctx.req.body ?? {});
      return ok(callView(sip.callFromTeams(input.from, input.to, gatewayOf(sip, input))), 201);
    }),
    route('GET', c(''), async (ctx, sip) => ok(callView(callOf(ctx, sip)))),
    route('POST', c('/answer'), async (ctx, sip) => {
      const call = callOf(ctx, sip);
      if (call.direction !== 'to-teams' || call.status !== undefined)
        throw new Error(`Call ${call.callId} is not ringing a Teams user: nothing to answer.`);
      sip.answer(call.callId);
      return ok(callView(call), 202);
    }),
    route('POST', c('/decline'), async (ctx, sip) => {
      const call = callOf(ctx, sip);
      if (call.direction !== 'to-teams' || call.status !== undefined)
        throw new Error(`Call ${call.callId} is not ringing a Teams user: nothing to decline.`);
      sip.decline(call.callId);
      return ok(callView(call));
    }),
    route('POST', c('/hold'), async (ctx, sip) => {
      const answer = await sip.hold(callOf(ctx, sip).callId);
      return ok({ ...callView(callOf(ctx, sip)), answer });
    }),
    route('POST', c('/resume'), async (ctx, sip) => {
      const answer = await sip.resume(callOf(ctx, sip).callId);
      return ok({ ...callView(callOf(ctx, sip)), answer });
    }),
    route('POST', c('/transfer'), async (ctx, sip) => {
      const call = callOf(ctx, sip);
      const { target } = transferInput.parse(ctx.req.body ?? {});
      const answer = await sip.transfer(call.callId, orgIdOf(sip, call, target));
      return ok({ ...callView(call), transfer: answer === 'internal' ? 'internal' : 'refer', answer });
    }),
    route('POST', c('/replace'), async (ctx, sip) => ok(callView(sip.replace(callOf(ctx, sip).callId)), 201)),
    route('POST', c('/hangup'), async (ctx, sip) => {
      const call = callOf(ctx, sip);
      await sip.hangUp(call.callId);
      return ok(callView(call));
    }),
    route('PUT', /^\/_emulator\/teams-sip\/faults$/, async (ctx, sip) => {
      Object.assign(sip.faults, faultsInput.parse(ctx.req.body ?? {}));
      return ok(sip.faults);
    }),
    route('DELETE', /^\/_emulator\/teams-sip\/faults$/, async (_ctx, sip) => {
      Object.assign(sip.faults, faultsInput.parse({}));
      return ok(sip.faults);
    }),
    route('PUT', /^\/_emulator\/teams-sip\/users\/([^/]+)\/behaviour$/, async (ctx, sip) => {
      const number = e164.parse(ctx.params[0]);
      sip.setBehaviour(number, behaviourInput.parse(ctx.req.body ?? {}));
      return ok({ number, ...sip.behaviours.get(number) });
    }),
  ];
}
