import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { loggedTrainingSeconds, TrainingLog, type LogRecord } from '../src/train/log.js';
import { tempDir } from './helpers.js';

const record = (step: number): LogRecord => ({
  step,
  loss: 1 / step,
  loss_avg: 1 / step,
  lr: 1e-3,
  grad_norm: 0.5,
  steps_per_s: 100,
  elapsed_s: step / 100,
  rss_mb: 200,
  tensors: 42,
});

/** A log in a fresh folder holding records for steps 1..n. */
function logWith(n: number): TrainingLog {
  const log = new TrainingLog(path.join(tempDir('log'), 'log.jsonl'));
  for (let step = 1; step <= n; step++) log.append(record(step));
  return log;
}

function readError(log: TrainingLog): Error {
  try {
    log.read();
  } catch (err) {
    return err as Error;
  }
  throw new Error('read() did not fail');
}

describe('TrainingLog', () => {
  it('appends one whole newline-terminated line per record', () => {
    const log = logWith(3);
    const text = fs.readFileSync(log.path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l) as LogRecord)).toEqual([record(1), record(2), record(3)]);
    expect(log.read()).toEqual([record(1), record(2), record(3)]);
  });

  it('drops a torn last line, keeps the records before it and says so on truncate', () => {
    const log = logWith(4);
    const whole = JSON.stringify(record(5));
    fs.appendFileSync(log.path, whole.slice(0, whole.length - 7));
    expect(log.read()).toEqual([1, 2, 3, 4].map(record));
    expect(log.readChecked().tornLine).toBe(5);

    const note = log.truncateAfter(3);
    expect(note).toMatch(/^note: .*log\.jsonl line 5: dropped an unfinished last line/);
    expect(note).not.toContain('\n');
    expect(log.readChecked()).toEqual({ records: [1, 2, 3].map(record), tornLine: null });
    // The repaired file ends with a newline, so the next append starts its own line.
    log.append(record(4));
    expect(log.read()).toEqual([1, 2, 3, 4].map(record));
  });

  it('keeps a complete last record that only lacks its newline', () => {
    const log = logWith(2);
    fs.appendFileSync(log.path, JSON.stringify(record(3)));
    expect(log.readChecked()).toEqual({ records: [1, 2, 3].map(record), tornLine: null });
    expect(log.truncateAfter(10)).toBeNull();
    expect(fs.readFileSync(log.path, 'utf8').endsWith('\n')).toBe(true);
  });

  it('a garbage line in the middle is a one-line UsageError naming the file and line', () => {
    const log = logWith(2);
    fs.appendFileSync(log.path, '{"step": 3, "loss"\n');
    log.append(record(4));
    const err = readError(log);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`${log.path} line 3: not a JSON log record; the log is damaged (repair or remove that line to resume)`);
    expect(() => log.truncateAfter(4)).toThrow(UsageError);
  });

  it('a line that parses but is not a record is an error, even the last one when it is newline-terminated', () => {
    const log = logWith(2);
    fs.appendFileSync(log.path, '[1, 2, 3]\n');
    expect(readError(log).message).toMatch(/log\.jsonl line 3: not a JSON log record/);

    const other = logWith(1);
    fs.appendFileSync(other.path, '{"loss": 0.5}\n');
    expect(readError(other).message).toMatch(/log\.jsonl line 2: not a JSON log record/);
  });

  it('truncateAfter replaces the file by a rename and leaves no temporary file', () => {
    const log = logWith(6);
    const before = fs.statSync(log.path).ino;
    expect(log.truncateAfter(4)).toBeNull();
    expect(log.read()).toEqual([1, 2, 3, 4].map(record));
    expect(fs.statSync(log.path).ino).not.toBe(before);
    expect(fs.readdirSync(path.dirname(log.path))).toEqual(['log.jsonl']);
  });

  it('reads a missing log as empty', () => {
    const log = new TrainingLog(path.join(tempDir('log'), 'log.jsonl'));
    expect(log.readChecked()).toEqual({ records: [], tornLine: null });
  });
});

describe('loggedTrainingSeconds', () => {
  const at = (step: number, elapsed: number): LogRecord => ({ ...record(step), elapsed_s: elapsed });
  it("sums each run's last elapsed time: elapsed_s starts again in a resumed run", () => {
    expect(loggedTrainingSeconds([])).toBe(0);
    expect(loggedTrainingSeconds([at(250, 30), at(500, 60)])).toBe(60);
    // Killed after step 1000 (110 s), resumed from 750: its own clock again.
    expect(loggedTrainingSeconds([at(250, 30), at(500, 60), at(750, 85), at(1000, 110), at(1000, 28), at(1250, 55)])).toBe(165);
  });
});

