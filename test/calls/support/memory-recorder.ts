import type { CallRecordInput, CallRecorder, LiveCallInfo } from '../../../src/calls/call-record.types.js';

/** Keeps what the B2BUA reports, in order, for tests to read (the stored records are "Calls 3"). */
export class MemoryRecorder implements CallRecorder {
  readonly events: string[] = [];
  readonly records: CallRecordInput[] = [];

  started(call: LiveCallInfo): void {
    this.events.push(`started ${call.direction}`);
  }

  changed(call: LiveCallInfo): void {
    this.events.push(`changed ${call.state}`);
  }

  ended(record: CallRecordInput): void {
    this.events.push(`ended ${record.result}`);
    this.records.push(record);
  }
}
