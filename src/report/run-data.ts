import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../config/run-config.js';
import { readJsonFileSync } from '../io/atomic.js';
import { METRIC_NAMES } from '../metrics/registry.js';
import { readRunConfig, RUN_FILES } from '../run/run-dir.js';
import { SNAPSHOT_DIR, snapshotsOf } from '../run/snapshot-files.js';
import { TrainingLog, type LogRecord } from '../train/log.js';

/** One metric of one evaluation beside its floor; ratio = value / floor (null without a positive floor: MMD^2's unbiased floor can be <= 0). */
export interface MetricRow {
  metric: string;
  value: number;
  floor: number | null;
  ratio: number | null;
}

/** One evaluation of the run: where its samples are (relative to the run) and its metrics. */
export interface EvaluationEntry {
  /** Training step of the weights (null when metrics.json does not say). */
  step: number | null;
  time: string | null;
  /** The samples folder, relative to the run directory. */
  dir: string;
  /** Where the numbers came from: the log's evaluation record, or the folder's metrics.json. */
  source: 'log' | 'metrics.json';
  rows: MetricRow[];
  /** The folder's picture (samples over the target, or the image grid), relative to the run; null if absent. */
  plot: string | null;
}

/** Everything a run's page shows, read from its directory. */
export interface RunReportData {
  dir: string;
  config: RunConfig;
  /** The config as dotted keys and values, in the file's order. */
  configRows: [string, string][];
  records: LogRecord[];
  evaluations: EvaluationEntry[];
  /** The snapshots (train --snapshot-every), by step, relative paths. */
  snapshots: { step: number; png: string }[];
  /** The run's files (not folders' contents), relative, with sizes. */
  files: { name: string; bytes: number }[];
}

/** Nested config values as `a.b.c` rows; arrays as comma-joined text. */
export function flattenConfig(value: unknown, prefix = ''): [string, string][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    return [[prefix, text]];
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k));
}

const IMAGE_METRICS = ['fid', 'class_entropy', 'confident_share'] as const;

/** Metric rows of a metrics record and its floors, in the registry's order (image metrics last). */
export function metricRows(metrics: Record<string, unknown> | null, floor: Record<string, unknown> | null): MetricRow[] {
  if (metrics === null) return [];
  const names = [...METRIC_NAMES, ...IMAGE_METRICS, ...Object.keys(metrics).filter((k) => !(METRIC_NAMES as readonly string[]).includes(k) && !(IMAGE_METRICS as readonly string[]).includes(k))];
  const rows: MetricRow[] = [];
  for (const metric of names) {
    const value = metrics[metric];
    if (typeof value !== 'number' || metric.endsWith('_floor')) continue;
    const f = floor?.[metric];
    const fl = typeof f === 'number' ? f : null;
    rows.push({ metric, value, floor: fl, ratio: fl !== null && fl > 0 ? value / fl : null });
  }
  return rows;
}

/** A metrics.json's metrics and floors (points: its `floor`; images: fid beside fid_floor). */
function fromMetricsJson(json: Record<string, unknown>): { metrics: Record<string, unknown>; floor: Record<string, unknown> | null } {
  const floor = (json['floor'] as Record<string, unknown> | undefined) ?? (typeof json['fid_floor'] === 'number' ? { fid: json['fid_floor'] } : null);
  const metrics = Object.fromEntries(Object.entries(json).filter(([k, v]) => typeof v === 'number' && ([...METRIC_NAMES, ...IMAGE_METRICS] as string[]).includes(k)));
  return { metrics, floor };
}

/** "ema weights at step 4000" -> 4000. */
function stepOf(score: unknown): number | null {
  const m = typeof score === 'string' ? /step (\d+)/.exec(score) : null;
  return m ? Number(m[1]) : null;
}

/**
 * The evaluations: every record of the log, then every samples folder with a metrics.json that no
 * record names (sampling by `npm run sample`), by folder name.
 */
export function collectEvaluations(dir: string, log: TrainingLog): EvaluationEntry[] {
  const plotOf = (rel: string) => (fs.existsSync(path.join(dir, rel, 'samples.png')) ? `${rel}/samples.png` : null);
  const entries: EvaluationEntry[] = log.readEvaluations().map((e) => {
    // Recorded as the path train was given (relative to where it ran): the folder's name is what stays true.
    const rel = `${RUN_FILES.samples}/${path.basename(e.samples_dir)}`;
    return { step: e.step, time: e.time, dir: rel, source: 'log', rows: metricRows(e.metrics, e.floor), plot: plotOf(rel) };
  });
  const samplesRoot = path.join(dir, RUN_FILES.samples);
  if (fs.existsSync(samplesRoot)) {
    const known = new Set(entries.map((e) => e.dir));
    for (const name of fs.readdirSync(samplesRoot).sort()) {
      const rel = `${RUN_FILES.samples}/${name}`;
      const file = path.join(samplesRoot, name, 'metrics.json');
      if (known.has(rel) || !fs.existsSync(file)) continue;
      let json: Record<string, unknown>;
      try {
        json = readJsonFileSync(file) as Record<string, unknown>;
      } catch {
        continue; // a damaged metrics.json is left out of the page, not fatal to it
      }
      const { metrics, floor } = fromMetricsJson(json);
      entries.push({ step: stepOf(json['score']), time: null, dir: rel, source: 'metrics.json', rows: metricRows(metrics, floor), plot: plotOf(rel) });
    }
  }
  return entries;
}

/** The files at the top of the run directory, with sizes. */
function listFiles(dir: string): { name: string; bytes: number }[] {
  const out: { name: string; bytes: number }[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const stat = fs.statSync(path.join(dir, name));
    if (stat.isFile() && !name.startsWith('.')) out.push({ name, bytes: stat.size });
  }
  return out;
}

/** Reads what the page shows; a missing or foreign directory is a UsageError naming `flagName`. */
export function collectRunReport(dir: string, flagName = '--run'): RunReportData {
  const config = readRunConfig(dir, flagName);
  const log = new TrainingLog(path.join(dir, RUN_FILES.log));
  return {
    dir,
    config,
    configRows: flattenConfig(config),
    records: log.read(),
    evaluations: collectEvaluations(dir, log),
    snapshots: snapshotsOf(dir).map((s) => ({ step: s.step, png: `${SNAPSHOT_DIR}/${path.basename(s.png)}` })),
    files: listFiles(dir),
  };
}
