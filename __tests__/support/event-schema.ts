/** Validates events against the published JSON Schema (schemas/ci-notify.event.v1.json) with ajv. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
// ajv and ajv-formats are CommonJS; require() sidesteps default-export interop differences.
const Ajv2020 = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

export const PUBLISHED_SCHEMA: unknown = JSON.parse(
  readFileSync(new URL('../../schemas/ci-notify.event.v1.json', import.meta.url), 'utf8'),
);

let validator: ValidateFunction | null = null;

/** `[]` when the event is valid, else ajv's messages as "path message" lines. */
export function schemaErrors(event: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validator = ajv.compile(PUBLISHED_SCHEMA as object);
  }
  if (validator(event)) return [];
  return (validator.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
}
