/**
 * The options schemas of channels: the part of zod's API (v4) that channel options use, with
 * zod's semantics and messages, in a few kilobytes. zod itself costs ~10 ms of every start (its
 * module graph is evaluated before the first schema; measured with `npm run bench` and callgrind),
 * more than everything else a dry run does, and a channel's options are a handful of strings.
 *
 * Written like zod (`import { z } from './schema.js'`, then `z.object({ url: z.string() })`):
 *   z.string(params?)  .trim() .min(n) .max(n) .regex(re) — params `{ error }` / `{ message }`
 *   z.enum([...], params?)   z.object(shape)   z.record(z.string(), z.string())   z.preprocess(fn, s)
 *   any schema: .optional() .default(v) .transform(fn) .refine(fn, params) .superRefine(fn)
 *   .safeParse(v), .parse(v); z.NEVER; ctx.addIssue({ code: 'custom', path?, message })
 *   types: z.ZodType<Output, Input>, z.output<typeof s>, z.infer<typeof s>, z.ZodError
 * As in zod: refinements are skipped once an issue aborted the value (a wrong type), a
 * transform or pipe never sees a value with issues, unknown object keys are dropped, `default`
 * replaces only `undefined`. Anything else zod has is deliberately absent: add it here, tested.
 */

export interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  /** zod's `continue`: true for refinement and transform issues, which do not stop later checks. */
  continue?: boolean;
}

/** What `safeParse` returns on failure: zod's `ZodError` shape, as far as callers read it. */
export class SchemaError extends Error {
  override name = 'ZodError';
  constructor(readonly issues: Issue[]) {
    super(issues.map((issue) => issue.message).join('; '));
  }
}

export type SafeParseResult<O> = { success: true; data: O; error?: undefined } | { success: false; error: SchemaError };

/** `ctx` of transform and superRefine. */
export interface RefinementContext {
  value: unknown;
  addIssue(issue: { code?: string; path?: PropertyKey[]; message?: string; fatal?: boolean } | string): void;
}

type Params =
  string | { error?: string | ((issue: { input: unknown }) => string); message?: string; path?: PropertyKey[] };

/** Returned by a transform that added issues: the value is unusable (zod's `z.NEVER`). */
export const NEVER: never = Object.freeze({ status: 'aborted' }) as never;

interface Payload {
  value: unknown;
  issues: Issue[];
}

type Run = (payload: Payload) => Payload;

/** A schema parsing input `I` to output `O`. Methods are declared as methods so O stays covariant. */
export class Schema<O = unknown, I = unknown> {
  declare readonly _output: O;
  declare readonly _input: I;
  constructor(readonly run: Run) {}

  safeParse(value: unknown): SafeParseResult<O> {
    const result = this.run({ value, issues: [] });
    return result.issues.length
      ? { success: false, error: new SchemaError(result.issues) }
      : { success: true, data: result.value as O };
  }

  parse(value: unknown): O {
    const result = this.safeParse(value);
    if (!result.success) throw result.error;
    return result.data;
  }

  optional(): Schema<O | undefined, I | undefined> {
    return new Schema((payload) => (payload.value === undefined ? payload : this.run(payload)));
  }

  default(value: Exclude<O, undefined>): Schema<Exclude<O, undefined>, I | undefined> {
    return new Schema((payload) => (payload.value === undefined ? { ...payload, value } : this.run(payload)));
  }

  transform<N>(fn: (value: O, ctx: RefinementContext) => N): Schema<N, I> {
    return pipe<N, I>(this, transformRun(fn as (value: unknown, ctx: RefinementContext) => unknown));
  }

  refine(fn: (value: O) => boolean, params?: Params): this {
    return this.check((payload) => {
      if (!fn(payload.value as O)) {
        payload.issues.push({
          code: 'custom',
          path: paramsPath(params),
          message: message(params, payload.value, 'Invalid input'),
          continue: true,
        });
      }
    });
  }

  superRefine(fn: (value: O, ctx: RefinementContext) => void): this {
    return this.check((payload) => fn(payload.value as O, context(payload)));
  }

  /** A check runs after the schema itself, unless an issue so far aborted the value. */
  protected check(check: (payload: Payload) => void): this {
    const run: Run = (payload) => {
      const result = this.run(payload);
      if (!aborted(result)) check(result);
      return result;
    };
    return Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this, { run });
  }
}

export class StringSchema extends Schema<string, string> {
  /** Trims the value (zod's `overwrite` check). */
  trim(): StringSchema {
    return this.check((payload) => {
      payload.value = (payload.value as string).trim();
    });
  }

  min(length: number, params?: Params): StringSchema {
    return this.check((payload) => {
      if ((payload.value as string).length < length) {
        payload.issues.push({
          code: 'too_small',
          path: [],
          message: message(params, payload.value, `Too small: expected string to have >=${length} characters`),
        });
      }
    });
  }

  max(length: number, params?: Params): StringSchema {
    return this.check((payload) => {
      if ((payload.value as string).length > length) {
        payload.issues.push({
          code: 'too_big',
          path: [],
          message: message(params, payload.value, `Too big: expected string to have <=${length} characters`),
        });
      }
    });
  }

  regex(pattern: RegExp, params?: Params): StringSchema {
    return this.check((payload) => {
      pattern.lastIndex = 0;
      if (!pattern.test(payload.value as string)) {
        payload.issues.push({
          code: 'invalid_format',
          path: [],
          message: message(params, payload.value, `Invalid string: must match pattern ${String(pattern)}`),
        });
      }
    });
  }
}

function string(params?: Params): StringSchema {
  return new StringSchema((payload) => {
    if (typeof payload.value !== 'string') payload.issues.push(invalidType('string', payload.value, params));
    return payload;
  });
}

function enumOf<const T extends readonly [string, ...string[]]>(
  values: T,
  params?: Params,
): Schema<T[number], T[number]> {
  return new Schema((payload) => {
    if (!values.includes(payload.value as string)) {
      const expected = values.map((v) => JSON.stringify(v)).join('|');
      payload.issues.push({
        code: 'invalid_value',
        path: [],
        message: message(params, payload.value, `Invalid option: expected one of ${expected}`),
      });
    }
    return payload;
  });
}

type Shape = Record<string, Schema<unknown, unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends S[K]['_output'] ? K : never }[keyof S];
type ObjectOutput<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: S[K]['_output'] } & { [K in OptionalKeys<S>]?: S[K]['_output'] }
>;
type Flatten<T> = { [K in keyof T]: T[K] };

function object<S extends Shape>(shape: S, params?: Params): Schema<ObjectOutput<S>, Record<string, unknown>> {
  const entries = Object.entries(shape);
  return new Schema((payload) => {
    const input = payload.value;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      payload.issues.push(invalidType('object', input, params));
      return payload;
    }
    const output: Record<string, unknown> = {};
    for (const [key, schema] of entries) {
      const result = schema.run({ value: (input as Record<string, unknown>)[key], issues: [] });
      for (const issue of result.issues) payload.issues.push({ ...issue, path: [key, ...issue.path] });
      if (result.value !== undefined || key in input) output[key] = result.value;
    }
    payload.value = output;
    return payload;
  });
}

function record(_keys: StringSchema, values: StringSchema): Schema<Record<string, string>, Record<string, string>> {
  return new Schema((payload) => {
    const input = payload.value;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      payload.issues.push(invalidType('record', input));
      return payload;
    }
    const output: Record<string, string> = {};
    for (const [key, value] of Object.entries(input)) {
      const result = values.run({ value, issues: [] });
      for (const issue of result.issues) payload.issues.push({ ...issue, path: [key, ...issue.path] });
      output[key] = result.value as string;
    }
    payload.value = output;
    return payload;
  });
}

function preprocess<O, I>(
  fn: (value: unknown, ctx: RefinementContext) => unknown,
  schema: Schema<O, I>,
): Schema<O, unknown> {
  return pipe<O, unknown>(new Schema<unknown, unknown>(transformRun(fn)), schema.run);
}

/** zod's pipe: the right side never sees a value that already has issues. */
function pipe<N, I>(left: Schema<unknown, I>, right: Run): Schema<N, I> {
  return new Schema((payload) => {
    const result = left.run(payload);
    return result.issues.length ? result : right(result);
  });
}

function transformRun(fn: (value: unknown, ctx: RefinementContext) => unknown): Run {
  return (payload) => {
    payload.value = fn(payload.value, context(payload));
    return payload;
  };
}

function context(payload: Payload): RefinementContext {
  return {
    value: payload.value,
    addIssue(issue) {
      if (typeof issue === 'string') {
        payload.issues.push({ code: 'custom', path: [], message: issue, continue: true });
        return;
      }
      payload.issues.push({
        code: issue.code ?? 'custom',
        path: issue.path ?? [],
        message: issue.message ?? 'Invalid input',
        continue: !issue.fatal,
      });
    },
  };
}

function aborted(payload: Payload): boolean {
  return payload.issues.some((issue) => issue.continue !== true);
}

function invalidType(expected: string, input: unknown, params?: Params): Issue {
  return {
    code: 'invalid_type',
    path: [],
    message: message(params, input, `Invalid input: expected ${expected}, received ${typeName(input)}`),
  };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function message(params: Params | undefined, input: unknown, fallback: string): string {
  if (typeof params === 'string') return params;
  if (typeof params?.error === 'function') return params.error({ input });
  return params?.error ?? params?.message ?? fallback;
}

function paramsPath(params: Params | undefined): PropertyKey[] {
  return typeof params === 'object' && params.path ? params.path : [];
}

/** `z`: the same names as zod's namespace, so a channel reads like zod code. */
export const z = { string, enum: enumOf, object, record, preprocess, NEVER };

// eslint-disable-next-line @typescript-eslint/no-namespace -- zod's type names (z.output<…>, z.ZodType<…>) beside its values
export declare namespace z {
  export type ZodType<O = unknown, I = unknown> = Schema<O, I>;
  export type output<S extends Schema<unknown, unknown>> = S['_output'];
  export type input<S extends Schema<unknown, unknown>> = S['_input'];
  export type infer<S extends Schema<unknown, unknown>> = S['_output'];
  export type ZodError = SchemaError;
}
