import { randomUUID } from 'node:crypto';
import type { SeedTenant } from './seed.schema.js';
import type { TenantState } from './tenant.state.js';

export type EmNumberType = 'directRouting' | 'callingPlan' | 'operatorConnect';

/** A number in the tenant's inventory; `assignmentTargetId` null when free. */
export interface EmNumber {
  telephoneNumber: string;
  numberType: EmNumberType;
  assignmentTargetId: string | null;
  assignmentCategory: 'primary' | 'private' | 'alternate' | null;
  isoCountryCode: string | null;
  city: string | null;
}

/** A long-running assign/unassign operation. The request is checked when it settles, as Teams does later. */
export interface EmOperation {
  id: string;
  kind: 'assign' | 'unassign';
  createdAt: number;
  settlesAt: number;
  telephoneNumber: string;
  numberType: EmNumberType;
  targetId: string | null;
  category: 'primary' | 'private' | 'alternate';
  status: 'notStarted' | 'running' | 'succeeded' | 'failed';
  statusDetail: string | null;
  forcedFailure: string | null;
}

/** External access settings as the emulator keeps them. */
export interface EmFederation {
  allowFederatedUsers: boolean;
  allowedDomains: 'allKnown' | string[];
  blockedDomains: string[];
  blockAllSubdomains: boolean;
}

/** Normalise a number the way Teams does: `+` added when missing, `tel:` dropped. */
export function normaliseNumber(raw: string): string {
  const text = raw.trim().replace(/^tel:/i, '');
  return text.startsWith('+') ? text : `+${text}`;
}

/** The Teams telephony side of a tenant: number inventory, operations, Direct Routing objects, federation. */
export class TelephonyState {
  readonly numbers = new Map<string, EmNumber>();
  readonly numbersByUser = new Map<string, Set<string>>();
  readonly operations = new Map<string, EmOperation>();
  pstnUsages: string[];
  readonly voiceRoutes = new Map<string, Record<string, unknown>>();
  readonly voiceRoutingPolicies = new Map<string, { Identity: string; OnlinePstnUsages: string[] }>();
  federation: EmFederation;
  /** How long operations stay running, and an optional forced failure (Microsoft's message). */
  operationDelayMs = 0;
  operationFailure: string | null = null;

  constructor(
    private readonly tenant: TenantState,
    seed: SeedTenant,
  ) {
    for (const n of seed.numbers) {
      this.numbers.set(normaliseNumber(n.telephoneNumber), {
        telephoneNumber: normaliseNumber(n.telephoneNumber),
        numberType: n.numberType,
        assignmentTargetId: null,
        assignmentCategory: null,
        isoCountryCode: n.isoCountryCode,
        city: n.city,
      });
    }
    this.pstnUsages = [...seed.pstnUsages];
    this.federation = { ...seed.federation };
    this.voiceRoutingPolicies.set('Global', { Identity: 'Global', OnlinePstnUsages: [] });
    for (const policy of seed.voiceRoutingPolicies) {
      this.voiceRoutingPolicies.set(policy.identity, {
        Identity: `Tag:${policy.identity}`,
        OnlinePstnUsages: policy.onlinePstnUsages,
      });
    }
    for (const route of seed.voiceRoutes) {
      this.voiceRoutes.set(route.identity, {
        Identity: route.identity,
        NumberPattern: route.numberPattern,
        OnlinePstnGatewayList: route.onlinePstnGatewayList,
        OnlinePstnUsages: route.onlinePstnUsages,
        Priority: route.priority,
      });
    }
  }

  /** Numbers a user holds. */
  numbersOf(userId: string): EmNumber[] {
    return [...(this.numbersByUser.get(userId) ?? [])].flatMap((n) => this.numbers.get(n) ?? []);
  }

  /** Give a number to a user immediately (seed and administrator changes). Replaces their primary number. */
  bind(
    raw: string,
    numberType: EmNumberType,
    userId: string,
    category: EmNumber['assignmentCategory'] = 'primary',
  ) {
    const telephoneNumber = normaliseNumber(raw);
    if (category === 'primary') {
      for (const held of this.numbersOf(userId))
        if (held.assignmentCategory === 'primary') this.release(held);
    }
    const existing = this.numbers.get(telephoneNumber);
    if (existing?.assignmentTargetId) this.release(existing);
    const number: EmNumber = existing ?? {
      telephoneNumber,
      numberType,
      assignmentTargetId: null,
      assignmentCategory: null,
      isoCountryCode: null,
      city: null,
    };
    number.assignmentTargetId = userId;
    number.assignmentCategory = category;
    this.numbers.set(telephoneNumber, number);
    let held = this.numbersByUser.get(userId);
    if (!held) this.numbersByUser.set(userId, (held = new Set()));
    held.add(telephoneNumber);
    const user = this.tenant.users.get(userId);
    if (user) {
      user.enterpriseVoice = true;
      this.tenant.touchTeams(user);
    }
  }

  /** Free a number; Direct Routing numbers leave the inventory, acquired numbers stay in it. */
  release(number: EmNumber): void {
    if (number.assignmentTargetId) {
      this.numbersByUser.get(number.assignmentTargetId)?.delete(number.telephoneNumber);
      const user = this.tenant.users.get(number.assignmentTargetId);
      if (user) this.tenant.touchTeams(user);
    }
    number.assignmentTargetId = null;
    number.assignmentCategory = null;
    if (number.numberType === 'directRouting') this.numbers.delete(number.telephoneNumber);
  }

  releaseAll(userId: string): void {
    for (const number of this.numbersOf(userId)) this.release(number);
  }

  /** Queue an operation; it settles when `settle` runs after its delay. */
  startOperation(
    init: Pick<EmOperation, 'kind' | 'telephoneNumber' | 'numberType' | 'targetId' | 'category'>,
  ) {
    const now = Date.now();
    const operation: EmOperation = {
      ...init,
      id: Buffer.from(`${init.kind}|${randomUUID()}`).toString('base64url'),
      createdAt: now,
      settlesAt: now + this.operationDelayMs,
      status: this.operationDelayMs > 0 ? 'notStarted' : 'running',
      statusDetail: null,
      forcedFailure: this.operationFailure,
    };
    this.operations.set(operation.id, operation);
    return operation;
  }

  /** Bring an operation up to date: running after a quarter of its delay, settled after all of it. */
  settle(operation: EmOperation, now = Date.now()): EmOperation {
    if (operation.status === 'succeeded' || operation.status === 'failed') return operation;
    if (now < operation.settlesAt) {
      const elapsed = now - operation.createdAt;
      operation.status =
        elapsed >= (operation.settlesAt - operation.createdAt) / 4 ? 'running' : 'notStarted';
      return operation;
    }
    const failure = operation.forcedFailure ?? this.check(operation);
    if (failure) {
      operation.status = 'failed';
      operation.statusDetail = failure;
      return operation;
    }
    const number = this.numbers.get(operation.telephoneNumber);
    if (operation.kind === 'assign') {
      this.bind(operation.telephoneNumber, operation.numberType, operation.targetId!, operation.category);
    } else if (number) {
      this.release(number);
    }
    operation.status = 'succeeded';
    return operation;
  }

  /** The error Teams would report for this request now, or null (messages seen in the field, MICROSOFT.md). */
  private check(operation: EmOperation): string | null {
    const number = this.numbers.get(operation.telephoneNumber);
    const n = operation.telephoneNumber;
    if (operation.kind === 'unassign') {
      return number?.assignmentTargetId
        ? null
        : `Telephone Number '${n}' is not found from tenant '${this.tenant.id}'`;
    }
    const user = this.tenant.users.get(operation.targetId ?? '');
    if (!user) return `User '${operation.targetId}' is not found from tenant '${this.tenant.id}'`;
    if (operation.numberType !== 'directRouting' && !number) {
      return `Telephone Number '${n}' is not found from tenant '${this.tenant.id}'`;
    }
    if (number?.assignmentTargetId && number.assignmentTargetId !== user.id) {
      return `Telephone Number '${n}' has already been assigned to another user`;
    }
    const plans = this.tenant.plansOf(user);
    if (operation.numberType === 'callingPlan' && !plans.callingPlan) {
      return `User '${user.userPrincipalName}' lacks appropriate licenses to assign a 'CallingPlan' number`;
    }
    if (operation.numberType === 'directRouting' && !plans.teamsPhone) {
      return `User '${user.userPrincipalName}' lacks appropriate licenses to assign a 'DirectRouting' number`;
    }
    return null;
  }
}
