import { writeRunReport } from '../report/run-report.js';
import { printJsonSummary } from './json-summary.js';

/** What `report` takes. */
export interface ReportCommandRequest {
  run: string;
  json: boolean;
}

/** `npm run report`: (re)writes a run's report.html from what its directory holds. Fast: no progress bar. */
export async function reportCommand(f: ReportCommandRequest): Promise<number> {
  const written = await writeRunReport(f.run, '--run');
  console.log(
    `wrote ${written.report} (${written.records} log records, ${written.snapshots} snapshots, ${written.evaluations} evaluations) in ${written.seconds.toFixed(2)} s`,
  );
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      report: written.report,
      run_dir: f.run,
      log_records: written.records,
      snapshots: written.snapshots,
      evaluations: written.evaluations,
      wall_seconds: written.seconds,
    });
  }
  return 0;
}
