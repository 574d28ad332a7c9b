import * as fs from 'node:fs';
import { UsageError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { withFile } from '../io/fs-errors.js';

/** A training record: no `kind` field (as in logs of older versions). */
export interface LogRecord {
  step: number;
  /** Wall-clock time of the record, ISO 8601 (absent in logs of older versions). */
  time?: string;
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

/**
 * The wall seconds of training that the records account for, over every process that wrote them:
 * elapsed_s starts again at 0 in each resumed run, so each run's last elapsed_s is summed.
 */
export function loggedTrainingSeconds(records: readonly LogRecord[]): number {
  let total = 0;
  let last = 0;
  for (const r of records) {
    if (r.elapsed_s < last) total += last;
    last = r.elapsed_s;
  }
  return total + last;
}

/**
 * An evaluation of the run at `step` (the sampling after training), with its
 * metrics beside their floors; `kind` tells it from the training records.
 */
export interface EvaluationRecord {
  kind: 'evaluation';
  step: number;
  time: string;
  /** The folder of its samples, plot and metrics.json. */
  samples_dir: string;
  /** The metrics (null: image metrics skipped, no classifier). */
  metrics: Record<string, number | number[]> | null;
  floor: Record<string, number> | null;
}

/** Any line of the log. */
export type LogEntry = LogRecord | EvaluationRecord;

const isTrainingRecord = (e: LogEntry): e is LogRecord => !('kind' in e);

/** The log's records, and the 1-based number of an unfinished last line that was left out (null if none). */
export interface LogContents {
  records: LogRecord[];
  tornLine: number | null;
}

/** A line that parses as a JSON object with a numeric step; anything else is not a record. */
function parseRecord(line: string): LogEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return typeof (value as { step?: unknown }).step === 'number' ? (value as LogEntry) : null;
}

/** JSON-lines training log: one record per line, appended as training goes. */
export class TrainingLog {
  constructor(readonly path: string) {}

  /**
   * One write of the whole line, so a kill can only ever cut the last line
   * short (which {@link readChecked} recognises), never mix two records.
   */
  append(record: LogEntry): void {
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    try {
      const fd = fs.openSync(this.path, 'a');
      try {
        const written = fs.writeSync(fd, line);
        if (written !== line.length) throw new Error(`${this.path}: wrote ${written} of ${line.length} bytes of a log record`);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      throw withFile(err, this.path);
    }
  }

  /** The training records; an unfinished last line is left out (see {@link readChecked} to learn of it). */
  read(): LogRecord[] {
    return this.readChecked().records;
  }

  /** The evaluation records, in the order they were made. */
  readEvaluations(): EvaluationRecord[] {
    return this.readEntries().entries.filter((e): e is EvaluationRecord => !isTrainingRecord(e));
  }

  /** The training records, and the line number of a torn last line. */
  readChecked(): LogContents {
    const { entries, tornLine } = this.readEntries();
    return { records: entries.filter(isTrainingRecord), tornLine };
  }

  /**
   * The records, tolerating only what an interrupted append leaves: a last
   * line without its newline that is not a record. Any other bad line is a
   * one-line UsageError naming the file and line, since guessing past it
   * would resume from a log that no longer matches the checkpoint.
   */
  private readEntries(): { entries: LogEntry[]; tornLine: number | null } {
    if (!fs.existsSync(this.path)) return { entries: [], tornLine: null };
    const text = fs.readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    // Without a final newline the last piece is a line whose append may have been cut short.
    const unterminated = text.endsWith('\n') ? -1 : lines.length - 1;
    const entries: LogEntry[] = [];
    let tornLine: number | null = null;
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const record = parseRecord(line);
      if (record !== null) entries.push(record);
      else if (i === unterminated) tornLine = i + 1;
      else throw new UsageError(`${this.path} line ${i + 1}: not a JSON log record; the log is damaged (repair or remove that line to resume)`);
    }
    return { entries, tornLine };
  }

  /**
   * Drops records past `step`, evaluations included (on resume, the updates
   * after the checkpoint are redone), and an unfinished last line, replacing the file atomically
   * so a kill here cannot lose the records kept. Returns a note for the user
   * when a torn line was dropped, else null.
   */
  truncateAfter(step: number): string | null {
    const { entries, tornLine } = this.readEntries();
    const kept = entries.filter((r) => r.step <= step);
    writeFileAtomicSync(this.path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    return tornLine === null
      ? null
      : `note: ${this.path} line ${tornLine}: dropped an unfinished last line (an append cut short, e.g. by a kill); the records before it are intact`;
  }
}
