import { solverOf, type SamplerSettings } from './settings.js';
import { isOdeSolver, solverNamed } from './solvers.js';

/**
 * The steps that spend at most `nfe` score evaluations per sample with these
 * settings: each step costs the solver's evaluations (times 1 + corrector steps
 * for the reverse SDE), and the final denoising one more. A RangeError for an
 * adaptive solver (its tolerance decides) or a budget below one step.
 */
export function stepsForEvaluations(settings: SamplerSettings, nfe: number): number {
  const name = solverOf(settings);
  const solver = solverNamed(name);
  const perStep = isOdeSolver(solver) ? solver.evaluationsPerStep : 1 + (settings.corrector?.steps ?? 0);
  if (perStep === null) throw new RangeError(`sampler nfe ${nfe}: ${name} is adaptive; its tolerance (rtol, atol) sets the evaluations`);
  const finish = settings.denoise ? 1 : 0;
  const steps = Math.floor((nfe - finish) / perStep);
  if (steps < 1) {
    throw new RangeError(`sampler nfe ${nfe}: ${name} needs at least ${perStep + finish} (${perStep} per step${finish > 0 ? ', 1 for the final denoising' : ''})`);
  }
  return steps;
}
