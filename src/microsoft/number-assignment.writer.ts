import { AppError } from '../domain/errors.js';
import { GraphError, parseGraphErrorBody } from './graph.error.js';
import { parseNumberOperation } from './graph.parsers.js';
import type { GraphTransport } from './graph.transport.js';
import type { NumberOperation } from './microsoft.types.js';
import { realSleep, type Sleep } from './retry.policy.js';
import type { AssignNumberRequest, NumberOperationOutcome, UnassignNumberRequest } from './tenant-client.js';

/** Graph's telephone number management, in the version the connection's cloud sets (v1.0 by default). */
export function numbersBaseOf(transport: GraphTransport): string {
  return `/${transport.settings.graphVersions.numbers}/admin/teams/telephoneNumberManagement`;
}

/** Microsoft refused or failed a number assignment; `microsoftMessage` is its text, for the administrator. */
export class NumberAssignmentError extends AppError {
  readonly telephoneNumber: string;
  readonly microsoftMessage: string;
  readonly graphCode: string | undefined;

  constructor(telephoneNumber: string, microsoftMessage: string, graphCode?: string) {
    super('upstream_failed', `Microsoft did not assign ${telephoneNumber}: ${microsoftMessage}`, {
      telephoneNumber,
      microsoftMessage,
      graphCode,
    });
    this.name = 'NumberAssignmentError';
    this.telephoneNumber = telephoneNumber;
    this.microsoftMessage = microsoftMessage;
    this.graphCode = graphCode;
  }
}

/** Polling of long-running number operations. */
export interface OperationPolling {
  intervalMs: number;
  sleep?: Sleep;
}

/** Assign and unassign numbers: POST -> 202 + Location, then poll the operation until it ends or time runs out. */
export class NumberAssignmentWriter {
  constructor(
    private readonly transport: GraphTransport,
    private readonly polling: OperationPolling = { intervalMs: 2_000 },
  ) {}

  async assign(request: AssignNumberRequest, waitMs = 60_000): Promise<NumberOperationOutcome> {
    const body = {
      telephoneNumber: request.telephoneNumber,
      assignmentTargetId: request.userId,
      numberType: request.numberType ?? 'directRouting',
      assignmentCategory: request.assignmentCategory ?? 'primary',
      ...(request.locationId ? { locationId: request.locationId } : {}),
    };
    const url = `${numbersBaseOf(this.transport)}/numberAssignments/assignNumber`;
    return this.run(url, body, request.telephoneNumber, waitMs);
  }

  async unassign(request: UnassignNumberRequest, waitMs = 60_000): Promise<NumberOperationOutcome> {
    const body = {
      telephoneNumber: request.telephoneNumber,
      numberType: request.numberType ?? 'directRouting',
    };
    const url = `${numbersBaseOf(this.transport)}/numberAssignments/unassignNumber`;
    return this.run(url, body, request.telephoneNumber, waitMs);
  }

  /** GET the operation URL as Microsoft gave it. */
  async getOperation(operationUrl: string): Promise<NumberOperation> {
    const response = await this.transport.send({ url: operationUrl });
    const operation = parseNumberOperation(response.body);
    if (!operation)
      throw new AppError('upstream_failed', `Microsoft's operation ${operationUrl} had no readable body.`);
    return operation;
  }

  private async run(
    url: string,
    body: unknown,
    number: string,
    waitMs: number,
  ): Promise<NumberOperationOutcome> {
    let operationUrl: string;
    try {
      // A 429/503 before acceptance means nothing was started, so the transport may retry the POST.
      const response = await this.transport.send({ method: 'POST', url, body, idempotent: true });
      const location = response.headers.get('location');
      if (!location)
        throw new AppError('upstream_failed', `Microsoft accepted ${number} without an operation URL.`);
      operationUrl = location;
    } catch (error) {
      if (error instanceof GraphError && error.httpStatus < 500) {
        return {
          state: 'failed',
          telephoneNumber: number,
          operationUrl: null,
          error: asNumberError(number, error),
        };
      }
      throw error;
    }
    return this.follow(operationUrl, number, waitMs);
  }

  private async follow(
    operationUrl: string,
    number: string,
    waitMs: number,
  ): Promise<NumberOperationOutcome> {
    const sleep = this.polling.sleep ?? realSleep;
    const deadline = performance.now() + waitMs;
    for (;;) {
      const operation = await this.getOperation(operationUrl);
      if (operation.status === 'succeeded')
        return { state: 'succeeded', telephoneNumber: number, operationUrl };
      if (operation.status === 'failed') {
        const detail = operation.numbers.find((n) => n.statusDetail)?.statusDetail ?? 'The operation failed.';
        return {
          state: 'failed',
          telephoneNumber: number,
          operationUrl,
          error: new NumberAssignmentError(number, detail),
        };
      }
      const left = deadline - performance.now();
      if (left <= 0) return { state: 'pending', telephoneNumber: number, operationUrl };
      await sleep(Math.min(this.polling.intervalMs, left));
    }
  }
}

function asNumberError(number: string, error: GraphError): NumberAssignmentError {
  const body = parseGraphErrorBody(
    { error: { code: error.graphCode, message: error.message } },
    error.httpStatus,
  );
  return new NumberAssignmentError(number, body.message, body.code);
}
