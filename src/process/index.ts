import type { GaussianPath, ProcessName } from './gaussian-path.js';
import { pbmProcess, PBM_DEFAULTS } from './pbm.js';
import { vpProcess, VP_DEFAULTS } from './vp.js';

export type { GaussianPath, ProcessName } from './gaussian-path.js';
export { PROCESS_NAMES } from './gaussian-path.js';
export { VP_DEFAULTS, PBM_DEFAULTS };

/** Options common to every process plus each one's own; unset ones take the defaults. */
export interface ProcessOptions {
  betaMin?: number;
  betaMax?: number;
  sigma?: number;
  tauMin?: number;
  tauMax?: number;
}

export function createProcess(name: ProcessName, o: ProcessOptions = {}): GaussianPath {
  switch (name) {
    case 'vp':
      return vpProcess({
        betaMin: o.betaMin ?? VP_DEFAULTS.betaMin,
        betaMax: o.betaMax ?? VP_DEFAULTS.betaMax,
        tauMin: o.tauMin ?? VP_DEFAULTS.tauMin,
        tauMax: o.tauMax ?? VP_DEFAULTS.tauMax,
      });
    case 'pbm':
      return pbmProcess({
        sigma: o.sigma ?? PBM_DEFAULTS.sigma,
        tauMin: o.tauMin ?? PBM_DEFAULTS.tauMin,
        tauMax: o.tauMax ?? PBM_DEFAULTS.tauMax,
      });
  }
}
