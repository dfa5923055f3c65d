import type { FastifySchema, RouteOptions } from 'fastify';
import { z } from 'zod';
import { unknownFieldsMessage } from './field-suggestion.js';

/**
 * Unknown fields in a request body are refused, never silently dropped: `PATCH .../users/{id}` with
 * `{"password": ...}` (the field is `sipPassword`) used to answer 200 and change nothing. Rather than rely on every
 * schema being written with `z.strictObject`, the onRoute hook below makes every body schema strict, all the way
 * down (objects inside arrays, unions, optional and defaulted fields), when the route is added; a write route
 * without a body schema gets an empty strict one. The refusal names each unknown field and the field it most
 * likely meant. `test/security/unknown-fields.security.test.ts` sends an unknown field to every write route of the
 * OpenAPI document.
 */

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * onRoute hook: strict body schemas for every route.
 * @example app.addHook('onRoute', strictBodies)
 */
export function strictBodies(route: RouteOptions): void {
  const schema: FastifySchema = route.schema ?? {};
  if (schema.body instanceof z.ZodType) {
    schema.body = strictDeep(schema.body);
  } else if (schema.body === undefined && schema.consumes === undefined && writes(route)) {
    // A write route that takes no body: any field sent is one it would ignore.
    schema.body = z.strictObject({}, { error: noFieldsError }).nullish();
  }
  route.schema = schema;
}

function writes(route: RouteOptions): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.some((method) => WRITE_METHODS.has(method));
}

function noFieldsError(issue: KeysIssue): string | undefined {
  return issue.code === 'unrecognized_keys' ? unknownFieldsMessage(issue.keys ?? [], []) : undefined;
}

/**
 * A copy of a zod schema in which every object refuses unknown keys. Schemas it does not look into (records,
 * lazy, scalars) come back as they are.
 * @example strictDeep(z.object({ a: z.string() })).safeParse({ a: 'x', b: 1 }).success // false
 */
export function strictDeep<T extends z.ZodType>(schema: T): T {
  return strictAny(schema) as T;
}

/** A schema copied with parts of its definition replaced (zod's own `clone`, typed loosely on purpose). */
function withDef(schema: z.ZodType, patch: Record<string, unknown>): z.ZodType {
  const cloneable = schema as unknown as { clone(def: object): z.ZodType; def: object };
  return cloneable.clone({ ...cloneable.def, ...patch });
}

function strictAny(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) return strictObject(schema);
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    return withDef(schema, { innerType: strictAny(schema.def.innerType as z.ZodType) });
  }
  if (schema instanceof z.ZodArray)
    return withDef(schema, { element: strictAny(schema.def.element as z.ZodType) });
  if (schema instanceof z.ZodUnion)
    return withDef(schema, { options: (schema.def.options as z.ZodType[]).map(strictAny) });
  if (schema instanceof z.ZodPipe) return withDef(schema, { in: strictAny(schema.def.in as z.ZodType) });
  return schema;
}

interface KeysIssue {
  code?: string;
  keys?: string[];
}

function strictObject(schema: z.ZodObject): z.ZodType {
  const shape = Object.fromEntries(
    Object.entries(schema.def.shape).map(([key, value]) => [key, strictAny(value as z.ZodType)]),
  );
  const known = Object.keys(shape);
  const previous = schema.def.error as ((issue: KeysIssue) => unknown) | undefined;
  return withDef(schema, {
    shape,
    catchall: z.never(),
    error: (issue: KeysIssue) =>
      issue.code === 'unrecognized_keys' ? unknownFieldsMessage(issue.keys ?? [], known) : previous?.(issue),
  });
}
