import { z } from 'zod';
import { UsageError } from '../src/errors.js';
import type { DataRange, DataSource } from './target.js';

/**
 * A target (a data distribution) as one module: its name, options, the request
 * values that set them, its factory and what it can do. The registries
 * (datasets/exact-targets.ts, datasets/registry.ts) list modules; nothing else
 * knows a target by name.
 */

/**
 * The request values that reach a target's options, flag-free: the command line
 * and the experiment fill them alike. In the order a request is checked.
 */
export const TARGET_REQUEST_KEYS = ['dim', 'components', 'targetSeed', 'std', 'mu', 'dataDir', 'subset'] as const;
export type TargetRequestKey = (typeof TARGET_REQUEST_KEYS)[number];

/** Request values for a target; a key left undefined takes the target's default. */
export type TargetRequest = { [K in TargetRequestKey]?: (K extends 'dataDir' ? string : number) | undefined };

/** The option a request key sets, and how its value is normalised first (a folder made absolute). */
export interface RequestBinding {
  option: string;
  normalise?: (value: unknown) => unknown;
}

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** What a target can do, known from its name alone: commands and metrics switch on these, never on names. */
export interface TargetCapabilities {
  /** Exact noised score, posterior mean and covariance: the source is a Target (oracle sampling, diagnose, score errors). */
  readonly exactScore: boolean;
  /** A density, not only atoms: `logDensity` is finite on a set of positive volume (the 2-D plots draw it). */
  readonly logDensity: boolean;
  /** Publishes its Gaussian components (`mixture`): the mode metrics count them. */
  readonly mixture: boolean;
  /** Publishes a coordinate with a known normal law (`marginal`): a 1-D metric compares against it. */
  readonly marginal: boolean;
  /** Points are images of this shape (classifier metrics, image grids, the U-Net by default). */
  readonly image?: ImageShape;
  /** Every coordinate lies in this box (the sampler clips to it). */
  readonly dataRange?: DataRange;
  /** Building it reads files: Node only, never imported by the browser page. */
  readonly nodeOnly: boolean;
}

/** What a target file declares; `defineTarget` turns it into a module. */
export interface TargetDefinition<N extends string, S extends z.ZodType<Record<string, unknown>>, D extends DataSource> {
  readonly name: N;
  /** One line for --help. */
  readonly summary: string;
  /** The options: strict (a typo is an error), with defaults and a .describe() per option. */
  readonly options: S;
  /** Which request key sets which option; a key not listed does not apply to this target. */
  readonly requestKeys?: Partial<Record<TargetRequestKey, string | RequestBinding>>;
  /** The option that takes the run's seed when the request leaves it out (gmm: the seed of its means). */
  readonly runSeedOption?: string;
  /** --help text of the options when the schema's own would not do. */
  readonly optionsHelp?: string;
  readonly capabilities: TargetCapabilities;
  /** The factory, given options the schema has checked and filled in. */
  build(options: z.output<S>): D;
}

export interface TargetModule<N extends string = string, S extends z.ZodType = z.ZodType, D extends DataSource = DataSource> {
  readonly name: N;
  readonly summary: string;
  readonly options: S;
  readonly requestKeys: Partial<Record<TargetRequestKey, RequestBinding>>;
  readonly runSeedOption?: string;
  readonly capabilities: TargetCapabilities;
  /** The options with their defaults filled in, in the schema's key order; a ZodError when they do not fit. */
  resolveOptions(raw?: unknown): Record<string, unknown>;
  /** Validates raw options (a ZodError when they do not fit) and builds the source. */
  create(raw?: unknown): D;
  /**
   * The options a run records for request values: each key the target takes sets its
   * option (normalised), the run seed fills `runSeedOption` unless the request sets it,
   * the schema fills in the rest. A key the target does not take is a UsageError
   * ("--mu 2: does not apply to --target grid9"); a value the schema refuses, a ZodError.
   */
  optionsFromRequest(request: TargetRequest, runSeed?: number): Record<string, unknown>;
  /** Help lines: "  name: summary" and, when it has any, "    options: ...". */
  help(): string;
}

/** Turns a target file's declaration into its module. */
export function defineTarget<const N extends string, S extends z.ZodType<Record<string, unknown>>, D extends DataSource>(
  def: TargetDefinition<N, S, D>,
): TargetModule<N, S, D> {
  const requestKeys: Partial<Record<TargetRequestKey, RequestBinding>> = {};
  for (const key of TARGET_REQUEST_KEYS) {
    const binding = def.requestKeys?.[key];
    if (binding !== undefined) requestKeys[key] = typeof binding === 'string' ? { option: binding } : binding;
  }
  const resolveOptions = (raw: unknown = {}) => def.options.parse(raw);
  return {
    name: def.name,
    summary: def.summary,
    options: def.options,
    requestKeys,
    ...(def.runSeedOption !== undefined ? { runSeedOption: def.runSeedOption } : {}),
    capabilities: def.capabilities,
    resolveOptions,
    create: (raw?: unknown) => def.build(resolveOptions(raw)),
    optionsFromRequest(request: TargetRequest, runSeed?: number) {
      const options: Record<string, unknown> = {};
      if (def.runSeedOption !== undefined && runSeed !== undefined) options[def.runSeedOption] = runSeed;
      for (const key of TARGET_REQUEST_KEYS) {
        const given = request[key];
        if (given === undefined) continue;
        const binding = requestKeys[key];
        if (binding === undefined) throw new UsageError(`${requestFlag(key)} ${given}: does not apply to --target ${def.name}`);
        options[binding.option] = binding.normalise ? binding.normalise(given) : given;
      }
      const parsed = def.options.safeParse(options);
      if (parsed.success) return parsed.data;
      // A request value the schema refuses is the user's input: name its flag, not the option.
      const issue = parsed.error.issues[0]!;
      const key = TARGET_REQUEST_KEYS.find((k) => requestKeys[k]?.option === issue.path[0] && request[k] !== undefined);
      if (key === undefined) throw parsed.error;
      throw new UsageError(`${requestFlag(key)} ${request[key]}: not accepted by --target ${def.name}; accepted: ${acceptedBy(issue)}`);
    },
    help() {
      const options = def.optionsHelp ?? describeOptions(def.options);
      return `  ${def.name}: ${def.summary}${options ? `\n    options: ${options}` : ''}`;
    },
  };
}

/** What a refused value should have been, from the schema's issue: ">= 2", or zod's own words. */
function acceptedBy(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small') return `a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
  if (issue.code === 'too_big') return `a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
  return issue.message;
}

/** The command-line flag of a request key, as errors name it: targetSeed is --target-seed. */
export function requestFlag(key: TargetRequestKey): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The names of a tuple of modules, as a tuple (so a flag schema can list them). */
export function namesOf<const M extends readonly [TargetModule, ...TargetModule[]]>(modules: M): { readonly [K in keyof M]: M[K]['name'] } {
  return modules.map((m) => m.name) as unknown as { readonly [K in keyof M]: M[K]['name'] };
}

interface JsonSchemaProperty {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
}

/** "key (type >= min, default v): description; ..." from a schema's JSON form. */
function describeOptions(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, JsonSchemaProperty> };
  return Object.entries(json.properties ?? {})
    .map(([key, p]) => {
      const bound = p.minimum !== undefined && p.minimum > Number.MIN_SAFE_INTEGER ? ` >= ${p.minimum}` : '';
      const fallback = p.default !== undefined ? `, default ${JSON.stringify(p.default)}` : '';
      return `${key} (${p.type ?? 'value'}${bound}${fallback}): ${p.description ?? ''}`;
    })
    .join('; ');
}
