import type { SyncLogLine } from '../../domain/records.js';
import { GraphError } from '../../microsoft/index.js';

/** A step of a sync whose absence still leaves a useful sync, and which did not complete this time. */
export interface DegradedStep {
  /** The step as the log names it, e.g. "reading coexistence modes". */
  step: string;
  /** What Microsoft said (status, code and message), or the error's text. */
  microsoftSaid: string;
}

/**
 * What Microsoft answered, in words an administrator can search for: `HTTP 404 NotFound: "..."`.
 * @example microsoftSaid(new GraphError({ status: 503, body: { code: 'x', message: 'Down' }, ... }))
 *   // 'HTTP 503 x: "Down"'
 */
export function microsoftSaid(error: unknown): string {
  if (error instanceof GraphError) return `HTTP ${error.httpStatus} ${error.graphCode}: "${error.message}"`;
  return error instanceof Error ? error.message : String(error);
}

type Say = (message: string, level?: SyncLogLine['level']) => void;

/**
 * Collects the optional steps of a run that failed (coexistence modes, carrier-model objects, policy grants,
 * Phone App installs, checks). Each is logged as a warning naming the step, what Microsoft said and what the run
 * did instead; a run with any ends `warning` rather than `failed`, and the next run tries the step again.
 */
export class DegradedSteps {
  readonly steps: DegradedStep[] = [];

  constructor(private readonly say: Say) {}

  /**
   * Record that `step` failed with `error`; `instead` says what the values it could not read became.
   * @example steps.record('reading coexistence modes', error, 'Coexistence modes keep their last known value.')
   */
  record(step: string, error: unknown, instead: string): void {
    const said = microsoftSaid(error);
    this.steps.push({ step, microsoftSaid: said });
    this.say(
      `Step "${step}" did not complete: Microsoft answered ${said}. ${instead} The next sync tries again.`,
      'warn',
    );
  }

  /**
   * Run an optional step: its result, or `fallback` after recording the failure.
   * @example const mode = await steps.attempt('reading the tenant coexistence mode', () => client.getTenantCoexistenceMode(), null, 'Shown as unknown.')
   */
  async attempt<T>(step: string, run: () => Promise<T>, fallback: T, instead: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.record(step, error, instead);
      return fallback;
    }
  }

  get count(): number {
    return this.steps.length;
  }
}
