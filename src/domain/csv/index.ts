/**
 * Bulk import and export of users by CSV, as Excel writes and reads it. Pure: the service reads the file and the
 * store, these functions read the text and the lookups they are given.
 */
export * from './csv-cells.js';
export * from './csv-export.js';
export * from './csv-guard.js';
export * from './csv-import.js';
export * from './csv-plan.js';
export * from './csv-templates.js';
export * from './csv-text.js';
