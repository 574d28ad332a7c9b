import { UsageError } from '../errors.js';
import type { GaussianPath } from './gaussian-path.js';
import { paramKey } from './param-keys.js';
import { pbmModule } from './pbm.js';
import type { ProcessModule, ProcessOptions } from './process-module.js';
import { subVpModule } from './sub-vp.js';
import { vpModule } from './vp.js';

/** Every process, one line each; this order is the order of help texts, tables and figures. */
const PROCESS_MODULES = [vpModule, pbmModule, subVpModule] as const;

type AnyProcessModule = (typeof PROCESS_MODULES)[number];
export type ProcessName = AnyProcessModule['name'];
type ModuleOf<N extends ProcessName> = Extract<AnyProcessModule, { name: N }>;
/** The options of process N (of each member, for a union of names). */
export type ProcessOptionsOf<N extends ProcessName> = N extends ProcessName ? (ModuleOf<N> extends ProcessModule<N, infer O> ? O : never) : never;

export const PROCESS_NAMES = PROCESS_MODULES.map((m) => m.name) as readonly ProcessName[] as readonly [ProcessName, ...ProcessName[]];

const BY_NAME = new Map<string, AnyProcessModule>(PROCESS_MODULES.map((m) => [m.name, m]));

export function isProcessName(name: string): name is ProcessName {
  return BY_NAME.has(name);
}

export function processModule<N extends ProcessName>(name: N): ModuleOf<N> {
  return BY_NAME.get(name) as ModuleOf<N>;
}

/** The same module seen through the common interface, whose option types every process shares. */
const moduleView = <N extends ProcessName>(name: N) => processModule(name) as unknown as ProcessModule<N, ProcessOptions>;

/** "VP" for vp; any other text is returned as it is (rows of a table read back from a file). */
export function processLabel(name: string): string {
  return BY_NAME.get(name)?.label ?? name;
}

/** Every option key some process accepts, in registry order (betaMin, betaMax, tauMin, tauMax, sigma). */
export const PROCESS_OPTION_KEYS: readonly string[] = [...new Set(PROCESS_MODULES.flatMap((m): readonly string[] => m.optionKeys))];

export function processOptionKeys(name: ProcessName): readonly string[] {
  return processModule(name).optionKeys;
}

/** The processes whose options include `key`. */
export function processesAccepting(key: string): ProcessName[] {
  return PROCESS_MODULES.filter((m) => (m.optionKeys as readonly string[]).includes(key)).map((m) => m.name);
}

/**
 * The process `name` with the options given (undefined ones, and those left out, take the
 * defaults). An option this process does not have, or a value its schema refuses, is a
 * programming error here: user input is checked before (see refusals.ts).
 */
export function createProcess<N extends ProcessName>(name: N, options: Partial<ProcessOptionsOf<N>> = {}): GaussianPath<N> {
  const module = moduleView(name);
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const parsed = module.options.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const what = issue.code === 'unrecognized_keys' ? `has no option ${issue.keys.join(', ')}` : `option ${String(issue.path[0])}: ${issue.message}`;
    throw new RangeError(`process ${name} ${what} (its options: ${module.optionKeys.join(', ')})`);
  }
  return module.create(parsed.data);
}

/** Recorded parameter name -> option key, over every process (beta_min -> betaMin). */
const OPTION_OF_PARAM = new Map(PROCESS_OPTION_KEYS.map((k) => [paramKey(k), k]));

type ErrorClass = new (message: string) => Error;

/**
 * Rebuilds a process from its recorded name and parameters (config.json of a run, or a bundle),
 * and refuses parameters it would silently ignore or fill in: a record must mean one process.
 * `where` names the file in the message; `ErrorType` is the error thrown (a bundle's is BundleError).
 */
export function processFromParams<N extends ProcessName>(
  name: N,
  params: Readonly<Record<string, number>>,
  where: string,
  ErrorType: ErrorClass = UsageError,
): GaussianPath<N> {
  const options: Record<string, number> = {};
  for (const [key, value] of Object.entries(params)) {
    const option = OPTION_OF_PARAM.get(key);
    if (option === undefined) throw new ErrorType(`${where}: process parameter ${key} is not one this build knows`);
    options[option] = value;
  }
  const module = moduleView(name);
  const needed = module.optionKeys.map(paramKey);
  const found = Object.keys(params);
  if (needed.some((k) => !found.includes(k)) || found.some((k) => !needed.includes(k))) {
    throw new ErrorType(`${where}: process ${name} needs parameters ${needed.join(', ')}; found ${found.join(', ') || 'none'}`);
  }
  const parsed = module.options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    throw new ErrorType(`${where}: process ${name} parameter ${paramKey(key)} ${options[key]} is invalid (${issue.message})`);
  }
  return module.create(parsed.data);
}

/** Processes ordered by sampling cost, heaviest first (ties in registry order). */
export function heaviestFirst<N extends ProcessName>(names: readonly N[]): N[] {
  const rank = (n: N) => PROCESS_NAMES.indexOf(n);
  return [...names].sort((x, y) => processModule(y).samplingCost - processModule(x).samplingCost || rank(x) - rank(y));
}

/** Process names (or other text) in registry order; unknown text after, in its order. */
export function inRegistryOrder(names: readonly string[]): string[] {
  const rank = (n: string) => (isProcessName(n) ? PROCESS_NAMES.indexOf(n) : PROCESS_NAMES.length);
  return [...names].sort((x, y) => rank(x) - rank(y));
}
