import * as fs from 'node:fs';
import * as path from 'node:path';
import { occupantsOf } from '../io/staged-dir.js';
import { RUN_FILES } from './run-dir.js';

/** Where a sampling run's outputs go inside a run directory: one folder per setting (`variants` name departures from the defaults). */
export function samplesDir(runDir: string, source: string, n: number, steps: number, seed: number, variants: string[] = []): string {
  return path.join(runDir, RUN_FILES.samples, [`${source}-n${n}-steps${steps}-seed${seed}`, ...variants].join('-'));
}

/** The folder of a sampling with another solver or grid: it names the solver and the score evaluations it spent. */
export function solverSamplesDir(runDir: string, source: string, n: number, solver: string, nfe: number, seed: number, variants: string[] = []): string {
  return path.join(runDir, RUN_FILES.samples, [`${source}-n${n}-${solver}-nfe${Number(nfe.toFixed(1))}-seed${seed}`, ...variants].join('-'));
}

/**
 * The folder of train's own evaluation at `step`: the plain name, or, when an
 * earlier evaluation holds that (a run resumed to more steps), the name with
 * `-step<step>`, so the earlier one is kept. Null when both are taken
 * (hold anything: the evaluation is written whole into a free folder).
 */
export function trainEvaluationDir(runDir: string, n: number, steps: number, seed: number, step: number): string | null {
  for (const dir of [samplesDir(runDir, 'ema', n, steps, seed), samplesDir(runDir, 'ema', n, steps, seed, [`step${step}`])]) {
    if (occupantsOf(dir) === null) return dir;
  }
  return null;
}

/** Whether a sampling already wrote into `dir` (it holds a metrics.json). */
export function holdsSamples(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'metrics.json'));
}
