/**
 * Numbers: reading E.164 input, number types, one number per user, uniqueness within a tenant, trunk ranges.
 * Pure rules; services give them what the store holds.
 */
export * from './caller-id.js';
export * from './e164.js';
export * from './excel-number-damage.js';
export * from './number-assignment.js';
export * from './number-check.js';
export * from './number-messages.js';
export * from './number-range.js';
export * from './number-type.js';
export * from './range-usage.js';
export * from './shared-numbers.js';
