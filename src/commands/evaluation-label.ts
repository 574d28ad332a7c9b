import * as path from 'node:path';
import { RUN_FILES } from '../run/run-dir.js';

/** Where a sampling run's outputs go inside a run directory: one folder per setting (`variants` name departures from the defaults). */
export function samplesDir(runDir: string, source: string, n: number, steps: number, seed: number, variants: string[] = []): string {
  return path.join(runDir, RUN_FILES.samples, [`${source}-n${n}-steps${steps}-seed${seed}`, ...variants].join('-'));
}
