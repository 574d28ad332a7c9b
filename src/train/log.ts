import * as fs from 'node:fs';

export interface LogRecord {
  step: number;
  /** Loss of this very update. */
  loss: number;
  /** Mean loss over the updates since the previous record. */
  loss_avg: number;
  lr: number;
  grad_norm: number;
  steps_per_s: number;
  elapsed_s: number;
  /** Resident memory of the process and live tfjs tensors: both stay flat in a healthy run. */
  rss_mb: number;
  tensors: number;
}

/** JSON-lines training log: one record per line, appended as training goes. */
export class TrainingLog {
  constructor(readonly path: string) {}

  append(record: LogRecord): void {
    fs.appendFileSync(this.path, JSON.stringify(record) + '\n');
  }

  read(): LogRecord[] {
    if (!fs.existsSync(this.path)) return [];
    return fs
      .readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogRecord);
  }

  /** Drops records past `step`: on resume, the updates after the checkpoint are redone. */
  truncateAfter(step: number): void {
    const kept = this.read().filter((r) => r.step <= step);
    fs.writeFileSync(this.path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }
}
