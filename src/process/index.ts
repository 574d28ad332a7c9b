import { pbmModule } from './pbm.js';
import { vpModule } from './vp.js';

export type { GaussianPath } from './gaussian-path.js';
export type { NoiseRange, ProcessModule, ProcessOptions } from './process-module.js';
export type { Prior } from './prior.js';
export {
  createProcess,
  heaviestFirst,
  inRegistryOrder,
  isProcessName,
  PROCESS_NAMES,
  PROCESS_OPTION_KEYS,
  processesAccepting,
  processFromParams,
  processLabel,
  processModule,
  processOptionKeys,
  type ProcessName,
  type ProcessOptionsOf,
} from './registry.js';
export { foreignOptionRefusal, ownOptions, singularEndRefusal } from './refusals.js';
export { optionFlag, paramKey } from './param-keys.js';

/** Each process's defaults, for help texts. */
export const VP_DEFAULTS = vpModule.defaults;
export const PBM_DEFAULTS = pbmModule.defaults;
