import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tsxLoader } from '../platform/module-entry.js';
import type { ScriptRunner } from '../platform/parity.js';

/**
 * Child processes of the GPU check: the project's scripts, run with the Node.js
 * running this one (the packed one on the device) and tsx's loader, each with
 * a time limit that stops its whole process group, its output kept in a log
 * file.
 */

/** The project root: scripts/, src/, models/ (app/ inside the pack). */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** `node --import <tsx> file args`: this Node.js, with the loader for the project's TypeScript. */
export function nodeCommand(file: string, args: readonly string[]): [string, string[]] {
  return [process.execPath, ['--import', tsxLoader(), file, ...args]];
}

export function scriptPath(script: string): string {
  return path.join(PROJECT_ROOT, 'scripts', script);
}

export interface ChildOutcome {
  status: number | null;
  signal: string | null;
  timedOut: boolean;
  seconds: number;
  stdout: string;
  /** The last lines of stderr (the whole of it is in the log file). */
  stderrTail: string;
  /** stdout's last line, parsed, where it is a JSON object (the commands' --json summary). */
  json: Record<string, unknown> | null;
}

const TAIL_LINES = 12;

function lastJson(stdout: string): Record<string, unknown> | null {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Progress bars redraw with carriage returns; the tail keeps each line's last state. */
function tail(text: string): string {
  return text
    .split('\n')
    .map((line) => line.split('\r').at(-1) ?? '')
    .filter((line) => line.trim() !== '')
    .slice(-TAIL_LINES)
    .join('\n');
}

/** Milliseconds between asking a timed-out child to stop (SIGTERM: it stops its own children) and killing its group. */
const STOP_GRACE_MS = 2000;

/**
 * Runs `node file args` to its end or to `timeoutMs`, when its process group
 * is asked to stop (SIGTERM), then killed `graceMs` later. A SIGINT or SIGTERM
 * to this process does the same to the child before this one exits, so no
 * child outlives the check. stdout and stderr go to `logFile` as well.
 */
export function runNode(file: string, args: readonly string[], timeoutMs: number, logFile: string, graceMs = STOP_GRACE_MS): Promise<ChildOutcome> {
  const [command, argv] = nodeCommand(file, args);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  fs.writeSync(log, `$ node ${[file, ...args].join(' ')}\n`);
  const started = performance.now();
  return new Promise((resolve) => {
    // Its own process group, so a time-out also stops what it started.
    const child = spawn(command, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      fs.writeSync(log, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      fs.writeSync(log, chunk);
    });
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    const timers: NodeJS.Timeout[] = [];
    const stopThenKill = () => {
      signalGroup('SIGTERM');
      timers.push(setTimeout(() => signalGroup('SIGKILL'), graceMs));
    };
    // Interrupted: the child is stopped as at a time-out, and this process exits once it is gone.
    let interruptedBy: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      interruptedBy = signal;
      stopThenKill();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    timers.push(
      setTimeout(() => {
        timedOut = true;
        stopThenKill();
      }, Math.max(0, timeoutMs)),
    );
    const done = (status: number | null, signal: string | null) => {
      timers.forEach(clearTimeout);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Leave nothing behind: what a finished child started is stopped too.
      signalGroup('SIGKILL');
      const seconds = (performance.now() - started) / 1000;
      fs.writeSync(log, `\n[exit ${status ?? signal}${timedOut ? `, stopped at the time limit of ${(timeoutMs / 1000).toFixed(0)} s` : ''}, ${seconds.toFixed(1)} s]\n`);
      fs.closeSync(log);
      if (interruptedBy !== null) process.exit(interruptedBy === 'SIGINT' ? 130 : 143);
      resolve({ status, signal, timedOut, seconds, stdout, stderrTail: tail(stderr), json: lastJson(stdout) });
    };
    child.on('error', (err) => {
      stderr += `${err.message}\n`;
      done(null, null);
    });
    child.on('close', done);
  });
}

/** One of the project's scripts, with --json added: its summary, or why there is none. */
export async function runScriptJson(script: string, args: readonly string[], timeoutMs: number, logFile: string): Promise<Record<string, unknown>> {
  const r = await runNode(scriptPath(script), [...args, '--json'], timeoutMs, logFile);
  return outcomeRecord(r);
}

/** The summary of a child for the report: its JSON, or its exit and the last error line. */
export function outcomeRecord(r: ChildOutcome): Record<string, unknown> {
  const base = { seconds: Number(r.seconds.toFixed(2)) };
  if (r.timedOut) return { ...base, error: `stopped at the time limit after ${r.seconds.toFixed(0)} s`, stderr_tail: r.stderrTail };
  if (r.status !== 0 || r.json === null) {
    const errorLine = r.stderrTail.split('\n').filter((l) => l.startsWith('error:')).at(-1) ?? r.stderrTail.split('\n').at(-1) ?? '';
    return { ...base, exit: r.status ?? r.signal, error: errorLine, ...(r.json !== null ? { summary: r.json } : {}), stderr_tail: r.stderrTail };
  }
  return { ...base, summary: r.json };
}

/**
 * A synchronous runner of the project's scripts for the parity check, each
 * run limited by the time left until `deadline` (ms since the epoch).
 */
export function deadlineScriptRunner(deadline: number, logFile: string): ScriptRunner {
  return (script, args) => {
    const left = Math.floor(deadline - Date.now());
    if (left <= 0) throw new Error(`out of time before ${script} ${args.join(' ')}`);
    const [command, argv] = nodeCommand(scriptPath(script), args);
    const r = spawnSync(command, argv, { encoding: 'utf8', timeout: left, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
    fs.appendFileSync(logFile, `$ ${script} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}\n[exit ${r.status ?? r.signal}]\n`);
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new Error(`${script} ${args.join(' ')}: stopped at the time limit`);
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}
