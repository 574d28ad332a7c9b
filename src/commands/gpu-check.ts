import * as fs from 'node:fs';
import * as path from 'node:path';
import { GPU_CHECK_DEFAULTS, defaultGpuCheckDir } from '../config/gpu-check-defaults.js';
import { PROJECT_ROOT } from '../gpu-check/children.js';
import { GPU_CHECK_PARTS } from '../gpu-check/parts.js';
import { REPORT_FILE, runGpuCheck } from '../gpu-check/run-check.js';
import { reportLines } from '../gpu-check/summary.js';
import { makeDir } from '../io/out-place.js';
import type { GpuCheckCommandRequest } from './gpu-check-request.js';
import { printJsonSummary } from './json-summary.js';
import { refuseOccupiedOut } from './out-folder.js';
import { progressBar } from './progress.js';

/** `gpu-check`: the parts in turn, a line per part, the report in OUT/gpu-check.json. */
export async function gpuCheckCommand(f: GpuCheckCommandRequest): Promise<number> {
  const outDir = f.out ?? defaultGpuCheckDir();
  const budgetSeconds = f.budgetSeconds ?? GPU_CHECK_DEFAULTS.budgetSeconds;
  const parts = f.parts === undefined ? GPU_CHECK_PARTS : GPU_CHECK_PARTS.filter((p) => f.parts!.includes(p.name));
  refuseOccupiedOut(outDir, f.out !== undefined, { what: 'a GPU check', isIn: (dir) => fs.existsSync(path.join(dir, REPORT_FILE)) });
  makeDir(outDir, f.out !== undefined ? '--out' : '');
  console.log(`gpu-check: ${parts.map((p) => p.name).join(', ')} in at most ${budgetSeconds} s; results in ${path.join(outDir, REPORT_FILE)}, logs in ${path.join(outDir, 'logs')}`);

  const totalShare = parts.reduce((sum, p) => sum + p.share, 0);
  let doneShare = 0;
  const bar = progressBar('gpu-check', parts.length, 'parts');
  const report = await runGpuCheck({
    outDir,
    budgetSeconds,
    parts,
    partMain: path.join(PROJECT_ROOT, 'src', 'gpu-check', 'part-main.ts'),
    onPart(done, finished, running) {
      if (finished !== null) doneShare += parts.find((p) => p.name === finished.name)!.share;
      bar.update(done, running ? { running: running.name } : undefined, doneShare / totalShare);
    },
  });
  bar.stop();
  for (const line of reportLines(report)) console.log(line);
  console.log(`wrote ${path.join(outDir, REPORT_FILE)} (${report.seconds.toFixed(0)} s)`);
  if (f.json) printJsonSummary(report);
  return report.parts.every((p) => p.status === 'ok' && p.problems.length === 0) ? 0 : 1;
}
