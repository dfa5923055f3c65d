import {
  callerOf,
  graphError,
  notFound,
  ok,
  type EmResponse,
  type Route,
  type RouteContext,
} from './emulator.http.js';
import { compileFilter, type Item } from './odata.query.js';
import { normaliseNumber, type EmNumber, type EmNumberType } from './telephony.state.js';
import type { TenantState } from './tenant.state.js';

/**
 * The telephone number management root in the version the request used: Graph has it in v1.0 and beta, and
 * the Location of an operation (and a number's resourceLocation) stays in the caller's version.
 */
const numbersBase = (ctx: RouteContext) =>
  `/${ctx.req.path.startsWith('/beta/') ? 'beta' : 'v1.0'}/admin/teams/telephoneNumberManagement`;

/** A numberAssignment row as Graph (v1.0 and beta) returns it. */
function numberJson(tenant: TenantState, n: EmNumber): Item {
  const target = n.assignmentTargetId ? tenant.users.get(n.assignmentTargetId) : undefined;
  return {
    id: Buffer.from(`${tenant.id}|${n.telephoneNumber}`).toString('base64url'),
    telephoneNumber: n.telephoneNumber,
    operatorId: null,
    numberType: n.numberType,
    activationState: 'activated',
    capabilities:
      n.numberType === 'directRouting'
        ? ['userAssignment']
        : ['userAssignment', 'voiceApplicationAssignment'],
    locationId: null,
    civicAddressId: null,
    networkSiteId: null,
    assignmentTargetId: n.assignmentTargetId,
    assignmentCategory: n.assignmentCategory,
    portInStatus: null,
    assignmentStatus: !target
      ? 'unassigned'
      : target.accountType === 'resourceAccount'
        ? 'voiceApplicationAssigned'
        : 'userAssigned',
    isoCountryCode: n.isoCountryCode,
    city: n.city,
    numberSource: n.numberType === 'directRouting' ? 'onPremises' : 'online',
    supportedCustomerActions: ['locationUpdate'],
    reverseNumberLookupOptions: [],
  };
}

/** Inventory: `$top` (default 500, max 1,000) and `$skip`, no nextLink, as documented. */
function listNumberAssignments(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const { query } = ctx.req;
  const top = Number(query.get('$top') ?? query.get('$Top') ?? 500);
  const skip = Number(query.get('$skip') ?? query.get('$Skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    return graphError(400, 'BadRequest', 'The $top value must be between 1 and 1000.');
  const predicate = compileFilter(query.get('$filter'));
  const all = [...tenant.telephony.numbers.values()].map((n) => numberJson(tenant, n));
  const matching = predicate ? all.filter(predicate) : all;
  return ok({
    '@odata.context': `${ctx.req.baseUrl}${numbersBase(ctx).replace('/admin/', '/$metadata#admin/')}/numberAssignments`,
    value: matching.slice(skip, skip + top),
  });
}

function numberRequest(ctx: RouteContext, needsTarget: boolean) {
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  const { telephoneNumber, assignmentTargetId, numberType } = body;
  if (
    typeof telephoneNumber !== 'string' ||
    typeof numberType !== 'string' ||
    (needsTarget && typeof assignmentTargetId !== 'string')
  ) {
    return graphError(
      400,
      'BadRequest',
      'telephoneNumber, numberType' + (needsTarget ? ' and assignmentTargetId are' : ' are') + ' required.',
    );
  }
  if (!['directRouting', 'callingPlan', 'operatorConnect'].includes(numberType)) {
    return graphError(400, 'BadRequest', `Invalid numberType '${numberType}'.`);
  }
  const category = typeof body.assignmentCategory === 'string' ? body.assignmentCategory : 'primary';
  return {
    telephoneNumber: normaliseNumber(telephoneNumber),
    numberType: numberType as EmNumberType,
    targetId: needsTarget ? (assignmentTargetId as string) : null,
    category: category as 'primary',
  };
}

function startNumberOperation(ctx: RouteContext, kind: 'assign' | 'unassign'): EmResponse {
  const { tenant } = callerOf(ctx);
  const request = numberRequest(ctx, kind === 'assign');
  if ('status' in request) return request;
  const operation = tenant.telephony.startOperation({ kind, ...request });
  return {
    status: 202,
    headers: { location: `${ctx.req.baseUrl}${numbersBase(ctx)}/operations('${operation.id}')` },
    text: '',
  };
}

/** The documented shape wraps the operation in `value`. */
function getOperation(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const operation = tenant.telephony.operations.get(ctx.params[0] || ctx.params[1] || '');
  if (!operation) return notFound(ctx.params[0] || ctx.params[1] || '');
  tenant.telephony.settle(operation);
  const number = tenant.telephony.numbers.get(operation.telephoneNumber);
  return ok({
    value: {
      '@odata.type': '#microsoft.graph.teamsAdministration.telephoneNumberLongRunningOperation',
      id: operation.id,
      createdDateTime: new Date(operation.createdAt).toISOString().slice(0, 19) + 'Z',
      status: operation.status,
      numbers: [
        {
          telephoneNumber: operation.telephoneNumber,
          resourceLocation: number
            ? `${ctx.req.baseUrl}${numbersBase(ctx)}/numberAssignments/${String(numberJson(tenant, number).id)}`
            : null,
          status: operation.status,
          statusDetail: operation.statusDetail,
        },
      ],
    },
  });
}

function updateNumber(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const raw = (ctx.req.body as { telephoneNumber?: unknown } | undefined)?.telephoneNumber;
  const number = typeof raw === 'string' ? tenant.telephony.numbers.get(normaliseNumber(raw)) : undefined;
  return number
    ? ok(numberJson(tenant, number))
    : graphError(
        404,
        'NotFound',
        `Telephone Number '${String(raw)}' is not found from tenant '${tenant.id}'`,
      );
}

/** Number inventory, assign/unassign/update and their long-running operations (Graph v1.0, and beta). */
export const numberRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/(?:v1\.0|beta)\/admin\/teams\/telephoneNumberManagement\/numberAssignments$/,
    handler: listNumberAssignments,
  },
  {
    method: 'POST',
    pattern: /^\/(?:v1\.0|beta)\/admin\/teams\/telephoneNumberManagement\/numberAssignments\/assignNumber$/,
    handler: (ctx) => startNumberOperation(ctx, 'assign'),
  },
  {
    method: 'POST',
    pattern: /^\/(?:v1\.0|beta)\/admin\/teams\/telephoneNumberManagement\/numberAssignments\/unassignNumber$/,
    handler: (ctx) => startNumberOperation(ctx, 'unassign'),
  },
  {
    method: 'POST',
    pattern: /^\/(?:v1\.0|beta)\/admin\/teams\/telephoneNumberManagement\/numberAssignments\/updateNumber$/,
    handler: updateNumber,
  },
  {
    method: 'GET',
    pattern:
      /^\/(?:v1\.0|beta)\/admin\/teams\/telephoneNumberManagement\/operations(?:\('([^']+)'\)|\/([^/]+))$/,
    handler: getOperation,
  },
];
