import type { Logger } from '../observability/logger.js';
import type { CallRecordInput, CallRecorder, LiveCallInfo } from './call-record.types.js';

/**
 * The recorder until call records are stored ("Calls 3"): each call's start and end in the log (never its
 * ladder: the log is not the place for whole SIP messages). The ladders' secrets are already removed anyway.
 *
 * @example const recorder = new LogCallRecorder(logger);
 */
export class LogCallRecorder implements CallRecorder {
  constructor(private readonly logger: Logger) {}

  started(call: LiveCallInfo): void {
    this.logger.info({ call: { ...call } }, 'call started');
  }

  changed(call: LiveCallInfo): void {
    this.logger.debug({ call: { id: call.id, state: call.state } }, 'call changed');
  }

  ended(record: CallRecordInput): void {
    const { ladder: _ladder, ...summary } = record;
    this.logger.info({ call: summary }, `call ended: ${record.result}`);
  }
}

/**
 * Every call reported to `recorder` (the stored call records) and logged as well: the log keeps each call's start
 * and end beside the registrations, for operators who read it.
 *
 * @example const recorder = alsoLogged(ctx.calls.recorder, logger);
 */
export function alsoLogged(recorder: CallRecorder, logger: Logger): CallRecorder {
  const log = new LogCallRecorder(logger);
  return {
    started: (call) => {
      log.started(call);
      recorder.started(call);
    },
    changed: (call) => {
      log.changed(call);
      recorder.changed(call);
    },
    ended: (record) => {
      log.ended(record);
      recorder.ended(record);
    },
  };
}
