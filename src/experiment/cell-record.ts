import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { readCheckpoint } from '../checkpoint.js';
import { checkpointPath } from '../train/state.js';
import { canonicalJson, cellSpecSchema, firstDifference, type CellSpec } from './grid.js';

export const CELL_FORMAT = 'score-sde-experiment-cell';
export const CELL_FORMAT_VERSION = 1;

/** Files of a cell directory besides the run's own (config.json, checkpoint.bin, log.jsonl, samples/). */
export const CELL_FILES = {
  /** The "done" marker and the cell's results, written last. */
  marker: 'cell.json',
  /** The spec a parallel job reads. */
  spec: 'cell-spec.json',
  scoreError: 'score_error.json',
  /** Output of a parallel job. */
  jobLog: 'job.log',
  /** Why a cell run by index (`--cell`) failed; the next run clears it with the rest. */
  failure: 'cell-failed.json',
  /** The band swaps finished so far, so that a cell cut off among them goes on after the last one. */
  bandSwapsSoFar: 'band-swaps-so-far.json',
} as const;

const metricValues = z.record(z.string(), z.number());

const evaluationSummarySchema = z.object({
  metrics: metricValues,
  floor: metricValues,
  sinkhornConverged: z.boolean(),
  samplingSeconds: z.number(),
  metricSeconds: z.number(),
  /** Samples folder, relative to the cell directory. */
  dir: z.string(),
});
export type EvaluationSummary = z.infer<typeof evaluationSummarySchema>;

/** A band-swap sampling (budget study): which band, and which score ran inside it (the other one outside). */
const bandSwapSchema = evaluationSummarySchema.extend({
  band: z.string(),
  lo: z.number(),
  /** null: the top band, open above. */
  hi: z.number().nullable(),
  inside: z.enum(['exact', 'network']),
});
export type BandSwapSummary = z.infer<typeof bandSwapSchema>;

/** The band swaps a cut-off attempt finished (their sample folders are complete), or none when there is no readable file. */
export function readBandSwapsSoFar(dir: string): BandSwapSummary[] {
  const file = path.join(dir, CELL_FILES.bandSwapsSoFar);
  if (!fs.existsSync(file)) return [];
  try {
    return z.array(bandSwapSchema).parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    // Damaged: the swaps are redone.
    return [];
  }
}

export function writeBandSwapsSoFar(dir: string, swaps: readonly BandSwapSummary[]): void {
  writeFileAtomicSync(path.join(dir, CELL_FILES.bandSwapsSoFar), JSON.stringify(swaps, null, 2) + '\n');
}

const phaseTimes = z.object({ train: z.number(), model: z.number(), oracle: z.number(), scoreError: z.number(), total: z.number() });

export const cellRecordSchema = z.object({
  format: z.literal(CELL_FORMAT),
  formatVersion: z.literal(CELL_FORMAT_VERSION),
  id: z.string(),
  spec: cellSpecSchema,
  train: z.object({
    steps: z.number().int(),
    parameters: z.number().int(),
    /** Training updates per second of the attempt that finished the cell. */
    stepsPerSecond: z.number(),
    finalLoss: z.number().nullable(),
    /** A cell resumed from a checkpoint: the training seconds of the attempts before (seconds.* are the last attempt's). */
    earlierAttemptsSeconds: z.number().optional(),
    /** Where and why a convergence-capped recipe stopped (convergence.ts); absent for a fixed step count. */
    stop: z
      .object({
        reason: z.enum(['converged', 'cap']),
        step: z.number().int(),
        smoothedLoss: z.number(),
        improvement: z.number().nullable(),
        cap: z.number().int(),
        /** The loss curve the rule read: each chunk's mean loss (chunk k ends at step k * chunkSteps). */
        chunkSteps: z.number().int().optional(),
        chunkLosses: z.array(z.number()).optional(),
      })
      .optional(),
  }),
  model: evaluationSummarySchema,
  /** reused: copied from the oracle run of another width (same target, dim, process, seed). */
  oracle: evaluationSummarySchema.extend({ reused: z.boolean() }),
  scoreError: z.object({
    average: z.number(),
    averaging: z.string(),
    n: z.number().int(),
    taus: z.array(z.number()),
    errors: z.array(z.number()),
    stdErrors: z.array(z.number()),
    /** Mean score error per tau band (tau-bands.ts), when the recipe asks for bands. */
    bands: z.record(z.string(), z.number().nullable()).optional(),
  }),
  bandSwaps: z.array(bandSwapSchema).optional(),
  bandSwapSeconds: z.number().optional(),
  /** Wall-clock and CPU seconds per phase (CPU: this process, all its threads). */
  seconds: z.object({ wall: phaseTimes, cpu: phaseTimes }),
  backend: z.string(),
  threads: z.number().int(),
  completedAt: z.string(),
});
export type CellRecord = z.infer<typeof cellRecordSchema>;

export type CellState =
  | { kind: 'done'; record: CellRecord }
  /** No directory, or an empty one. */
  | { kind: 'fresh' }
  /** A directory without its marker: a crash mid-cell. Redone from scratch. */
  | { kind: 'partial' }
  /** A finished cell of another grid config, or a marker this build cannot read: refused. */
  | { kind: 'conflict'; reason: string };

function markerPath(dir: string): string {
  return path.join(dir, CELL_FILES.marker);
}

/** What a cell directory holds, judged against the spec the sweep would run there. */
export function inspectCell(dir: string, spec: CellSpec): CellState {
  if (!fs.existsSync(dir)) return { kind: 'fresh' };
  if (!fs.statSync(dir).isDirectory()) return { kind: 'conflict', reason: `${dir}: exists and is not a directory` };
  const file = markerPath(dir);
  if (!fs.existsSync(file)) return fs.readdirSync(dir).length === 0 ? { kind: 'fresh' } : { kind: 'partial' };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return { kind: 'conflict', reason: `${file}: not valid JSON (${(err as Error).message.split('\n')[0]})` };
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > CELL_FORMAT_VERSION) {
    return { kind: 'conflict', reason: `${file}: cell format version ${version} is newer than this build reads (${CELL_FORMAT_VERSION})` };
  }
  const parsed = cellRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: 'conflict', reason: `${file}: field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}` };
  }
  const diff = firstDifference(spec, parsed.data.spec);
  if (diff) {
    return {
      kind: 'conflict',
      reason:
        `${file}: written by a different grid config (${diff.path} is ${JSON.stringify(diff.a)} now, ` +
        `${JSON.stringify(diff.b)} there); use another --out, or delete that cell directory to redo it`,
    };
  }
  return { kind: 'done', record: parsed.data };
}

/** Writes the marker: the last file of a cell, atomically, so a cell with it is complete. */
export function writeCellRecord(dir: string, record: CellRecord): void {
  writeFileAtomicSync(markerPath(dir), JSON.stringify(record, null, 2) + '\n');
}

/** A finished cell's record; for a job's parent, which trusts that the job just wrote it. */
export function readCellRecord(dir: string, spec: CellSpec): CellRecord {
  const state = inspectCell(dir, spec);
  if (state.kind === 'done') return state.record;
  throw new Error(`${markerPath(dir)}: ${state.kind === 'conflict' ? state.reason : 'missing after the job ended'}`);
}

export function writeCellSpec(dir: string, spec: CellSpec): void {
  writeFileAtomicSync(path.join(dir, CELL_FILES.spec), JSON.stringify(spec, null, 2) + '\n');
}

/** The spec a parallel job was given (`--run-cell DIR`). */
export function readCellSpec(dir: string): CellSpec {
  const file = path.join(dir, CELL_FILES.spec);
  if (!fs.existsSync(file)) throw new UsageError(`--run-cell ${dir}: no ${CELL_FILES.spec} in the directory`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = cellSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

/** The step of an unfinished cell's checkpoint when it can go on from it (the same spec, no recorded failure), else null. */
export function resumableStep(dir: string, spec: CellSpec): number | null {
  const specFile = path.join(dir, CELL_FILES.spec);
  if (!fs.existsSync(checkpointPath(dir)) || !fs.existsSync(specFile) || fs.existsSync(path.join(dir, CELL_FILES.failure))) return null;
  try {
    if (canonicalJson(JSON.parse(fs.readFileSync(specFile, 'utf8'))) !== canonicalJson(spec)) return null;
    return readCheckpoint(checkpointPath(dir)).header.step;
  } catch {
    // A damaged checkpoint or spec: the cell starts again.
    return null;
  }
}
