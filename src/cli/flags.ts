import type { Options } from 'yargs';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { boundNote, formatBound, LIMITS, type LimitName } from '../config/limits.js';
import { MAX_WASM_THREADS } from '../platform/wasm-threads.js';

/** The schemas of flags that take one number: --help shows them as [number]. */
const NUMERIC_FLAGS = new WeakSet<z.ZodType>();

/** Whether a flag's schema (optional or not) takes one number. */
export function isNumericFlag(schema: z.ZodType | undefined): boolean {
  let s: unknown = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap();
  return s instanceof z.ZodType && NUMERIC_FLAGS.has(s);
}

/**
 * Schemas for command-line values. Numeric flags arrive as the raw text the
 * user typed, so an error can quote it exactly.
 */
export function numberFlag(accepted: string, ok: (v: number) => boolean) {
  const schema = z.string().transform((text, ctx) => {
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!ok(value)) {
      ctx.addIssue({ code: 'custom', message: accepted });
      return z.NEVER;
    }
    return value;
  });
  NUMERIC_FLAGS.add(schema);
  return schema;
}

export const flag = {
  positiveInt: () => numberFlag('a positive integer', (v) => Number.isInteger(v) && v > 0),
  nonNegativeInt: () => numberFlag('a non-negative integer', (v) => Number.isInteger(v) && v >= 0),
  int: () => numberFlag('an integer', (v) => Number.isInteger(v)),
  positive: () => numberFlag('a finite number > 0', (v) => Number.isFinite(v) && v > 0),
  /** A number > 0, or the word `none` (the feature off). */
  positiveOrNone: () =>
    z.string().transform((text, ctx): number | 'none' => {
      if (text.trim() === 'none') return 'none';
      const value = text.trim() === '' ? Number.NaN : Number(text);
      if (!(Number.isFinite(value) && value > 0)) {
        ctx.addIssue({ code: 'custom', message: 'a finite number > 0, or none' });
        return z.NEVER;
      }
      return value;
    }),
  /** An integer in the range config/limits.ts gives the setting; a refusal quotes the range and why. */
  intIn: (name: LimitName) => {
    const { min, max, why } = LIMITS[name];
    return numberFlag(`an integer from ${formatBound(min)} to ${formatBound(max)} (${why})`, (v) => Number.isInteger(v) && v >= min && v <= max);
  },
  /** A number > 0 up to the bound config/limits.ts gives the setting. */
  positiveUpTo: (name: LimitName) => {
    const { max, why } = LIMITS[name];
    return numberFlag(`a finite number > 0 and at most ${formatBound(max)} (${why})`, (v) => Number.isFinite(v) && v > 0 && v <= max);
  },
  unitInterval: () => numberFlag('a number in (0, 1)', (v) => v > 0 && v < 1),
  upToOne: () => numberFlag('a number in (0, 1]', (v) => v > 0 && v <= 1),
  /** Comma-separated integers, each in the range config/limits.ts gives the setting. */
  intListIn: (name: LimitName) =>
    z.string().transform((text, ctx) => {
      const { min, max, why } = LIMITS[name];
      const values = text.split(',').map((v) => (v.trim() === '' ? Number.NaN : Number(v)));
      if (!values.every((v) => Number.isInteger(v) && v >= min && v <= max)) {
        ctx.addIssue({ code: 'custom', message: `comma-separated integers from ${min} to ${formatBound(max)}, e.g. 32,64,64 (${why})` });
        return z.NEVER;
      }
      return values;
    }),
  oneOf: <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: () => `one of ${values.join(', ')}` }),
};

/** `--threads`: threads of the wasm backend's pool (the other backends ignore it). */
export function threadsOption(group?: string): Options {
  return textOption(`threads of the wasm backend (1 to ${MAX_WASM_THREADS})`, 'one per core', group);
}

export const threadsFlag = () =>
  numberFlag(`an integer from 1 to ${MAX_WASM_THREADS}`, (v) => Number.isInteger(v) && v >= 1 && v <= MAX_WASM_THREADS);

const kebab = (key: string) => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * Validates parsed arguments against a schema; the first problem becomes a
 * one-line UsageError: "--steps '-5': expected a positive integer".
 */
export function parseFlags<S extends z.ZodType>(schema: S, args: Record<string, unknown>): z.infer<S> {
  for (const [key, value] of Object.entries(args)) {
    if (Array.isArray(value) && key !== '_') throw new UsageError(`${kebab(key)}: given more than once; give it once`);
  }
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const raw = args[key];
  // A required flag left out: say so, and what it takes.
  if (raw === undefined) throw new UsageError(`${kebab(key)} is required: ${issue.message}`);
  const shown = typeof raw === 'string' ? `'${raw}'` : JSON.stringify(raw);
  throw new UsageError(`${kebab(key)} ${shown}: expected ${issue.message}`);
}

/**
 * A yargs option kept as the text the user typed (validated later by a flag
 * schema); its default is documented, not applied, so commands can tell which
 * flags were given.
 */
export function textOption(describe: string, defaultDescription?: string, group?: string): Options {
  return {
    type: 'string',
    describe,
    ...(defaultDescription !== undefined ? { defaultDescription } : {}),
    ...(group !== undefined ? { group } : {}),
  };
}

/** A flag's help with its upper bound from config/limits.ts: "optimiser updates (at most 1e8)". */
export function bounded(describe: string, name: LimitName): string {
  return `${describe} (${boundNote(name)})`;
}
