import type { GaussianPath } from '../process/index.js';
import { describeSampler } from '../sampler/reverse-sde.js';
import { ODE_TOLERANCE } from '../config/ode-defaults.js';
import { gridOf, solverOf, type SamplerDefaults, type SamplerSettings } from '../sampler/settings.js';
import type { BundleConfig } from './format.js';

/**
 * The bundle's `sampler` block for these settings (the time range is the
 * process's, recorded with it). `grid` (absent: uniform) and `tolerance`
 * (rk45 only) are recorded where the settings have them.
 */
export function samplerRecord(settings: SamplerSettings): BundleConfig['sampler'] {
  const solver = solverOf(settings);
  return {
    method: solver,
    ...(settings.grid !== undefined ? { grid: settings.grid } : {}),
    ...(settings.tolerance !== undefined ? { tolerance: settings.tolerance } : {}),
    steps: settings.steps,
    denoise: settings.denoise,
    batchSize: settings.batchSize,
    clip: settings.clip ?? null,
    ...(settings.corrector !== undefined ? { corrector: settings.corrector } : {}),
    seed: settings.seed,
    update: describeSampler(solver, gridOf(settings)),
  };
}

/** The defaults a bundle's `sampler` block gives the library's sample(): its settings over its process's time range. */
export function recordedSamplerDefaults(recorded: BundleConfig['sampler'], path: Pick<GaussianPath, 'tauMin' | 'tauMax'>): SamplerDefaults {
  return {
    solver: recorded.method,
    grid: recorded.grid,
    tolerance: recorded.tolerance ?? ODE_TOLERANCE,
    steps: recorded.steps,
    tauMin: path.tauMin,
    tauMax: path.tauMax,
    denoise: recorded.denoise,
    batchSize: recorded.batchSize,
    seed: recorded.seed,
    clip: recorded.clip ?? null,
    corrector: recorded.corrector ?? { steps: 0 },
  };
}
