import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { entryArgs, moduleEntry } from '../platform/module-entry.js';
import { CELL_PHASES, type CellPhase } from './cell-job.js';
import { CELL_FILES, readCellRecord } from './cell-record.js';
import type { CellRunner, PlannedCell } from './sweep.js';

/** The command's entry point, run by each parallel job (through tsx in a checkout, compiled in the package). */
const ENTRY = moduleEntry('../../scripts/experiment', import.meta.url);

export interface ChildOptions {
  study: string;
  backend: string;
  /** Threads of each job's wasm backend. */
  threads: number;
  /** A job's phase changes and training steps, as it reports them (see phaseMessage). */
  onPhase?(cell: PlannedCell, phase: CellPhase, done: number, total: number): void;
}

/** What a job sends its sweep over the IPC channel. */
export interface PhaseMessage {
  kind: 'phase';
  phase: CellPhase;
  done: number;
  total: number;
}

/** A cell's phase for the sweep's bar and the job's log: "train 1200/20000", "band swap 3/6", "oracle". */
export function phaseText(phase: CellPhase, done: number, total: number): string {
  return phase === 'train' ? `train ${done}/${total}` : phase === 'band-swap' ? `band swap ${done}/${total}` : phase;
}

/** Training steps between a job's progress lines in its log. */
const JOB_LOG_STEPS = 1000;

/** Whether a phase report is worth passing on to the bar: every 100th training step, training's end, every later phase. */
export function reportsProgress(phase: CellPhase, done: number, total: number): boolean {
  return phase !== 'train' || done % 100 === 0 || done === total;
}

/**
 * The job's side: its cell's phases to the sweep over the IPC channel (every 100th training step,
 * training's end, every later phase), and a line in the job's log for each later phase and every
 * JOB_LOG_STEPS steps with this attempt's rate. `startStep`: where this attempt's training starts.
 */
export function jobPhaseReporter(startStep: number): (phase: CellPhase, done: number, total: number) => void {
  const startedAt = performance.now();
  // A training run that reaches its cap reports its last step twice (as a step, and as its end).
  let lastSent = '';
  return (phase, done, total) => {
    const text = phaseText(phase, done, total);
    if (text === lastSent) return;
    if (reportsProgress(phase, done, total)) {
      const message: PhaseMessage = { kind: 'phase', phase, done, total };
      process.send?.(message);
      lastSent = text;
    }
    if (phase !== 'train') console.log(text);
    else if (done % JOB_LOG_STEPS === 0 && done > startStep) {
      const rate = (done - startStep) / ((performance.now() - startedAt) / 1000);
      console.log(`${text} steps, ${rate.toFixed(1)} steps/s`);
    }
  };
}

function isPhaseMessage(m: unknown): m is PhaseMessage {
  const x = m as Partial<PhaseMessage> | null;
  return typeof x === 'object' && x !== null && x.kind === 'phase' && (CELL_PHASES as readonly string[]).includes(x.phase as string) && Number.isFinite(x.done) && Number.isFinite(x.total);
}

/** The last line of a job's log that says what went wrong. */
function lastError(logFile: string): string {
  const lines = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : [];
  const reversed = [...lines].reverse();
  // Our one-line errors first, then an uncaught exception's name line, then whatever came last.
  const error = reversed.find((l) => l.startsWith('error:')) ?? reversed.find((l) => /^[A-Za-z]*Error\b/.test(l));
  return (error ?? lines.at(-1) ?? 'no output').replace(/^error:\s*/, '');
}

/**
 * Each cell in its own Node process (`--run-cell DIR`), its output in DIR/job.log: parallel jobs
 * share no TensorFlow.js state, and a crash takes down one cell only.
 */
export function childCellRunner(o: ChildOptions): CellRunner {
  return (cell, resumeFrom) =>
    new Promise((resolve, reject) => {
      const logFile = path.join(cell.dir, CELL_FILES.jobLog);
      // A resumed cell's log goes on after the earlier attempt's.
      const log = fs.openSync(logFile, resumeFrom !== null ? 'a' : 'w');
      const args = [...entryArgs(ENTRY), o.study, '--run-cell', cell.dir, '--backend', o.backend, '--threads', String(o.threads)];
      // The IPC channel carries the job's progress (phaseMessage) for the sweep's bar.
      const child = spawn(process.execPath, args, { stdio: ['ignore', log, log, 'ipc'], env: process.env });
      child.on('message', (m) => {
        if (isPhaseMessage(m)) o.onPhase?.(cell, m.phase, m.done, m.total);
      });
      let settled = false;
      const finish = (err: Error | null) => {
        // 'error' and 'exit' can both fire for one child.
        if (settled) return;
        settled = true;
        fs.closeSync(log);
        if (err) return reject(err);
        try {
          resolve(readCellRecord(cell.dir, cell.spec));
        } catch (readErr) {
          reject(readErr as Error);
        }
      };
      child.on('error', (err) => finish(new Error(`${cell.id}: could not start a job (${err.message})`)));
      child.on('exit', (code, signal) => {
        if (code === 0) finish(null);
        else finish(new Error(`${cell.id}: job ${signal ? `killed by ${signal}` : `exited with code ${code}`}: ${lastError(logFile)} (log: ${logFile})`));
      });
    });
}
