/**
 * Worker-thread entry that reads an import file (decoding, CSV parsing, every cell: number parsing against the
 * full numbering-plan metadata is the heavy part). Started by csv-reader.ts through bin/ts-worker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readImportFile } from '../domain/csv/index.js';
import type { CsvReadRequest } from './csv-reader.js';

const request = (workerData as { request: CsvReadRequest }).request;
const countries = new Map(Object.entries(request.countries));
const read = readImportFile(request.file, {
  serviceKind: request.serviceKind,
  defaultCountry: request.defaultCountry,
  countryOf: (email) => countries.get(email),
});
parentPort?.postMessage(read);
