import * as path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { collectRunReport } from './run-data.js';
import { runPageHtml } from './run-page.js';
import { trainingChartsSvg } from './training-charts.js';

export const REPORT_FILE = 'report.html';

export interface WrittenRunReport {
  report: string;
  records: number;
  evaluations: number;
  snapshots: number;
  seconds: number;
}

/** Writes `<dir>/report.html` (atomically) from what the run directory holds now. */
export async function writeRunReport(dir: string, flagName = '--run'): Promise<WrittenRunReport> {
  const started = performance.now();
  const data = collectRunReport(dir, flagName);
  const html = runPageHtml(data, await trainingChartsSvg(data.records));
  const report = path.join(dir, REPORT_FILE);
  writeFileAtomicSync(report, html);
  return {
    report,
    records: data.records.length,
    evaluations: data.evaluations.length,
    snapshots: data.snapshots.length,
    seconds: (performance.now() - started) / 1000,
  };
}
