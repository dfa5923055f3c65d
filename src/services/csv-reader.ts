import { Worker } from 'node:worker_threads';
import type { ImportFile } from '../domain/csv/index.js';
import type { NumberServiceKind } from '../domain/numbers/index.js';
import { AppError } from '../domain/errors.js';

/**
 * Reads an import file on a worker thread. One process serves the API, the worker and the SIP agent on one event
 * loop; reading 50,000 rows (decoding, csv-parse, a libphonenumber reading of every number) took seconds of CPU,
 * during which no SIP refresh timer could fire. The thread is started per import (imports are rare; a fresh thread
 * gives its memory back at once) through bin/ts-worker.js, which registers tsx there as bin/callbridge.js does in
 * the main thread: the product runs its TypeScript sources directly.
 */

/** What the worker needs: the file and how to read its numbers. Plain data: it crosses to the thread. */
export interface CsvReadRequest {
  file: Uint8Array | string;
  serviceKind: NumberServiceKind;
  defaultCountry: string | null;
  /** Usage location (Microsoft 365) by lower-cased email, for national numbers. */
  countries: Record<string, string>;
}

/** Longest a file may take to read before the import is refused (a 16 MB file takes a few seconds). */
const READ_TIMEOUT_MS = 120_000;

const launcher = new URL('../../bin/ts-worker.js', import.meta.url);
const entry = new URL('./csv-read.worker.ts', import.meta.url).href;

/**
 * Read an import file off the event loop.
 * @example const read = await readImportFileOffLoop({ file, serviceKind: 'pbx', defaultCountry: 'GB', countries: {} });
 */
export function readImportFileOffLoop(request: CsvReadRequest): Promise<ImportFile> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(launcher, { workerData: { entry, request } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(
        new AppError('validation_failed', 'The file took too long to read; split it into smaller files.'),
      );
    }, READ_TIMEOUT_MS);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      settle();
    };
    worker.once('message', (read: ImportFile) => finish(() => resolve(read)));
    worker.once('error', (error) => finish(() => reject(error)));
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`the CSV reading thread stopped (exit code ${code}) without an answer`))),
    );
  });
}
