import * as fs from 'node:fs';
import * as path from 'node:path';
import { runNode } from './children.js';
import { partResultFile } from './part-main.js';
import type { GpuCheckPart } from './parts.js';

/**
 * The GPU check's schedule: the parts in turn, each in its own process with
 * its share of the time left (a part that finishes early leaves its time to
 * the later ones), its result gathered into one report that is rewritten
 * after every part, so a check cut short keeps what it measured.
 */

export type PartStatus = 'ok' | 'failed' | 'timed out' | 'not run';

export interface PartReport {
  name: string;
  title: string;
  status: PartStatus;
  seconds: number;
  /** The time it was given. */
  limit_seconds: number;
  result?: Record<string, unknown>;
  error?: string;
  /** The errors inside its result (a step that failed while the part went on), each with its place. */
  problems: string[];
}

export interface GpuCheckReport {
  format: 'score-sde-gpu-check';
  started: string;
  budget_seconds: number;
  seconds: number;
  parts: PartReport[];
}

export const REPORT_FILE = 'gpu-check.json';

/** From SIGTERM to SIGKILL of a part (at most a quarter of its time): longer than its own children's grace (children.ts). */
const PART_GRACE_MS = 3000;

export interface CheckSchedule {
  outDir: string;
  budgetSeconds: number;
  parts: readonly GpuCheckPart[];
  /** The process that runs one part: `file NAME OUT_DIR DEADLINE_MS` (part-main.ts). */
  partMain: string;
  onPart?: (done: number, report: PartReport | null, running: GpuCheckPart | null) => void;
}

/** Every `error` string inside a result, as `where: message`. */
export function problemsIn(value: unknown, where = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const here = Array.isArray(value) ? `${where}[${key}]` : where === '' ? key : `${where}.${key}`;
    if (key === 'error' && typeof v === 'string') return [`${where === '' ? '' : `${where}: `}${v}`];
    return problemsIn(v, here);
  });
}

function writeReport(outDir: string, report: GpuCheckReport): void {
  const file = path.join(outDir, REPORT_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(report, null, 1) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

function readPartResult(outDir: string, name: string): { result?: Record<string, unknown>; error?: string } | null {
  try {
    return JSON.parse(fs.readFileSync(partResultFile(outDir, name), 'utf8')) as { result?: Record<string, unknown>; error?: string };
  } catch {
    return null;
  }
}

/** Runs the parts; returns the report also written to OUT_DIR/gpu-check.json. */
export async function runGpuCheck(s: CheckSchedule): Promise<GpuCheckReport> {
  const started = Date.now();
  const end = started + s.budgetSeconds * 1000;
  const report: GpuCheckReport = { format: 'score-sde-gpu-check', started: new Date(started).toISOString(), budget_seconds: s.budgetSeconds, seconds: 0, parts: [] };
  for (const [i, part] of s.parts.entries()) {
    const shareLeft = s.parts.slice(i).reduce((sum, p) => sum + p.share, 0);
    const limitMs = ((end - Date.now()) * part.share) / shareLeft;
    s.onPart?.(i, null, part);
    let entry: PartReport;
    if (limitMs < 1000) {
      entry = { name: part.name, title: part.title, status: 'not run', seconds: 0, limit_seconds: 0, error: `the check's ${s.budgetSeconds} s were spent`, problems: [] };
    } else {
      // Stopped at stopAt (SIGTERM, then SIGKILL at the limit); its own deadline comes earlier, so its children
      // are stopped (with their own grace) and it can write what it has before then.
      const grace = Math.min(PART_GRACE_MS, limitMs / 4);
      const stopAt = limitMs - grace;
      const deadline = Date.now() + stopAt - Math.min(5000, 0.1 * limitMs);
      const r = await runNode(s.partMain, [part.name, s.outDir, String(deadline)], stopAt, path.join(s.outDir, 'logs', `part-${part.name}.log`), grace);
      const written = readPartResult(s.outDir, part.name);
      const base = { name: part.name, title: part.title, seconds: Number(r.seconds.toFixed(2)), limit_seconds: Number((limitMs / 1000).toFixed(1)), problems: problemsIn(written?.result) };
      if (written?.result !== undefined) entry = { ...base, status: 'ok', result: written.result };
      else if (r.timedOut) entry = { ...base, status: 'timed out', error: `stopped after ${r.seconds.toFixed(0)} s` };
      else entry = { ...base, status: 'failed', error: written?.error ?? `exit ${r.status ?? r.signal}: ${r.stderrTail.split('\n').at(-1) ?? ''}` };
    }
    report.parts.push(entry);
    report.seconds = Number(((Date.now() - started) / 1000).toFixed(1));
    writeReport(s.outDir, report);
    s.onPart?.(i + 1, entry, null);
  }
  return report;
}
