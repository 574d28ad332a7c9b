import { createProcess, type GaussianPath, type ProcessName } from '../process/index.js';
import { BundleError } from './errors.js';

const OPTION_KEYS: Record<string, 'betaMin' | 'betaMax' | 'sigma' | 'tauMin' | 'tauMax'> = {
  beta_min: 'betaMin',
  beta_max: 'betaMax',
  sigma: 'sigma',
  tau_min: 'tauMin',
  tau_max: 'tauMax',
};

/**
 * Rebuilds a process from its recorded name and parameters, and refuses
 * parameters it would silently ignore or fill in (a bundle must mean one process).
 */
export function processFromDescription(name: ProcessName, params: Record<string, number>, file: string): GaussianPath {
  const options: Partial<Record<(typeof OPTION_KEYS)[string], number>> = {};
  for (const [key, value] of Object.entries(params)) {
    const option = OPTION_KEYS[key];
    if (option === undefined) throw new BundleError(`${file}: process parameter ${key} is not one this build knows`);
    options[option] = value;
  }
  const path = createProcess(name, options);
  const missing = Object.keys(path.params).filter((k) => !(k in params));
  const extra = Object.keys(params).filter((k) => !(k in path.params));
  if (missing.length > 0 || extra.length > 0) {
    throw new BundleError(`${file}: process ${name} needs parameters ${Object.keys(path.params).join(', ')}; found ${Object.keys(params).join(', ') || 'none'}`);
  }
  return path;
}
