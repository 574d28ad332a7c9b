import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { canonicalJson, cellId, cellSpecSchema, firstDifference, type CellSpec } from './grid.js';

/**
 * plan.json: the sweep's cells in order, so that a scheduler's array job can run "cell K" on any
 * node, and a fingerprint of them, so that a job started with other flags is refused instead of
 * running the wrong cell.
 */
export const PLAN_FILE = 'plan.json';
export const PLAN_FORMAT = 'score-sde-experiment-plan';
export const PLAN_FORMAT_VERSION = 1;

const planSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  fingerprint: z.string(),
  cells: z.array(z.object({ index: z.number().int().nonnegative(), id: z.string(), spec: cellSpecSchema })),
});
export type SweepPlanFile = z.infer<typeof planSchema>;

/** A short hash of the ordered cell specs: equal fingerprints, the same cells at the same indices. */
export function gridFingerprint(specs: readonly CellSpec[]): string {
  return createHash('sha256').update(canonicalJson(specs)).digest('hex').slice(0, 16);
}

export function planOf(specs: readonly CellSpec[]): SweepPlanFile {
  return {
    format: PLAN_FORMAT,
    formatVersion: PLAN_FORMAT_VERSION,
    fingerprint: gridFingerprint(specs),
    cells: specs.map((spec, index) => ({ index, id: cellId(spec.key), spec })),
  };
}

export function planPath(out: string): string {
  return path.join(out, PLAN_FILE);
}

/** The plan in `out`, or null when there is none. Unreadable: refused (one line). */
export function readPlan(out: string): SweepPlanFile | null {
  const file = planPath(out);
  if (!fs.existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Refuses a plan made with other flags: names the file, both fingerprints and the first field that
 * differs, so the user sees which flag to fix.
 */
export function checkPlan(out: string, plan: SweepPlanFile, specs: readonly CellSpec[]): void {
  const fingerprint = gridFingerprint(specs);
  if (plan.fingerprint === fingerprint) return;
  const k = specs.findIndex((spec, i) => plan.cells[i] === undefined || canonicalJson(spec) !== canonicalJson(plan.cells[i]!.spec));
  const diff = k >= 0 && plan.cells[k] ? firstDifference(specs[k], plan.cells[k]!.spec) : null;
  const where =
    plan.cells.length !== specs.length
      ? `${specs.length} cells from these flags, ${plan.cells.length} in the plan`
      : diff
        ? `cell ${k}: ${diff.path} is ${JSON.stringify(diff.a)} from these flags, ${JSON.stringify(diff.b)} in the plan`
        : 'the cells differ';
  throw new UsageError(
    `${planPath(out)}: made for another grid (fingerprint ${plan.fingerprint}, these flags give ${fingerprint}; ${where}); pass the flags the plan was made with, or use another --out`,
  );
}

/**
 * Writes the plan, or keeps the one there when it is the same. A plan of another grid is refused
 * (its cells may be running on the cluster).
 */
export function writePlan(out: string, specs: readonly CellSpec[]): SweepPlanFile {
  const existing = readPlan(out);
  if (existing) {
    checkPlan(out, existing, specs);
    return existing;
  }
  const plan = planOf(specs);
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomicSync(planPath(out), JSON.stringify(plan, null, 2) + '\n');
  return plan;
}

/** The array index a scheduler gives each element: Slurm's, then Kubernetes Indexed Jobs'. */
export const CELL_INDEX_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

/** `--cell-from-env`: the index from the first variable set; refused when none is, or it is not an index. */
export function cellIndexFromEnv(env: NodeJS.ProcessEnv): number {
  for (const name of CELL_INDEX_VARIABLES) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new UsageError(`--cell-from-env: ${name}=${text} is not a cell index (an integer >= 0)`);
    return value;
  }
  throw new UsageError(`--cell-from-env: none of ${CELL_INDEX_VARIABLES.join(', ')} is set (run it as an element of a Slurm array or a Kubernetes Indexed Job, or give --cell K)`);
}
