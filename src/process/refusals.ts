import { optionFlag } from './param-keys.js';
import { PROCESS_OPTION_KEYS, processesAccepting, processLabel, processModule, processOptionKeys, type ProcessName, type ProcessOptionsOf } from './registry.js';

/** "A", "A and B", "A, B and C". */
function listed(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * The one-line refusal of an option given for a process that does not have it, e.g.
 * "--sigma 2: does not apply to --process vp (PBM only)"; null when every given option applies.
 * `given` may hold anything (a whole set of flags): only process options set to a value are looked at.
 */
export function foreignOptionRefusal(name: ProcessName, given: Readonly<Record<string, unknown>>): string | null {
  const own = processOptionKeys(name);
  for (const key of PROCESS_OPTION_KEYS) {
    const value = given[key];
    if (value === undefined || own.includes(key)) continue;
    return `${optionFlag(key)} ${String(value)}: does not apply to --process ${name} (${listed(processesAccepting(key).map(processLabel))} only)`;
  }
  return null;
}

/** The options of `given` that process `name` has (set ones only): what createProcess takes. */
export function ownOptions<N extends ProcessName>(name: N, given: Readonly<Record<string, unknown>>): Partial<ProcessOptionsOf<N>> {
  const own = processOptionKeys(name);
  return Object.fromEntries(own.filter((k) => given[k] !== undefined).map((k) => [k, given[k]])) as Partial<ProcessOptionsOf<N>>;
}

/**
 * The one-line refusal of a largest noise level a process cannot start from, e.g.
 * "--tau-max 1: PBM is singular at tau = 1; accepted: a number in (tau-min, 1)"; null when it can.
 */
export function singularEndRefusal(name: ProcessName, tauMax: number): string | null {
  if (!processModule(name).singularAtOne || tauMax < 1) return null;
  return `--tau-max ${tauMax}: ${processLabel(name)} is singular at tau = 1; accepted: a number in (tau-min, 1)`;
}
