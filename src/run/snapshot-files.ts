import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesByStep } from '../io/step-files.js';

/**
 * Snapshots (train --snapshot-every K): a small fixed-seed sample of the EMA weights every K
 * steps, as snapshots/step-<S>.png (the picture) and step-<S>.npy (the samples).
 */
export const SNAPSHOT_DIR = 'snapshots';

const SNAPSHOT = /^step-(\d+)\.png$/;

export function snapshotFiles(runDir: string, step: number): { png: string; npy: string } {
  const base = path.join(runDir, SNAPSHOT_DIR, `step-${step}`);
  return { png: `${base}.png`, npy: `${base}.npy` };
}

/** The run's snapshots, by step. */
export function snapshotsOf(runDir: string): { step: number; png: string }[] {
  return filesByStep(path.join(runDir, SNAPSHOT_DIR), SNAPSHOT).map(({ step, file }) => ({ step, png: file }));
}

/** Removes the snapshots past `step` (a run resumed from an earlier checkpoint draws them again). */
export function dropSnapshotsAfter(runDir: string, step: number): number[] {
  const later = snapshotsOf(runDir).filter((s) => s.step > step);
  for (const s of later) {
    const files = snapshotFiles(runDir, s.step);
    fs.rmSync(files.png, { force: true });
    fs.rmSync(files.npy, { force: true });
  }
  return later.map((s) => s.step);
}
