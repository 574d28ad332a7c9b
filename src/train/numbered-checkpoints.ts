import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_FILE } from '../checkpoint.js';
import { filesByStep } from '../io/step-files.js';

/**
 * Numbered checkpoints (`--keep-checkpoints K`, K > 1): beside checkpoint.bin,
 * always the latest, the last K checkpoints as checkpoint-<step>.bin, so that
 * `--resume DIR --from-step S` can go back to any of them. They are hard links
 * to the file checkpoint.bin was at that step (each save writes a new file and
 * renames it over), so keeping them costs no copy.
 */
export const numberedCheckpointFile = (step: number) => `checkpoint-${step}.bin`;

const NUMBERED = /^checkpoint-(\d+)\.bin$/;

/** The run's numbered checkpoints, by step. */
export function numberedCheckpoints(runDir: string): { step: number; file: string }[] {
  return filesByStep(runDir, NUMBERED);
}

/** `from` under the name `to`, replacing it in one rename: a hard link, or a copy where links are refused. */
export function placeFileAtomically(from: string, to: string): void {
  const tmp = `${to}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  try {
    fs.linkSync(from, tmp);
  } catch {
    fs.copyFileSync(from, tmp);
  }
  fs.renameSync(tmp, to);
}

/** After a save at `step`: its numbered checkpoint, and the oldest ones beyond the last `keep` removed. */
export function keepNumberedCheckpoint(runDir: string, step: number, keep: number): void {
  if (keep <= 1) return;
  placeFileAtomically(path.join(runDir, CHECKPOINT_FILE), path.join(runDir, numberedCheckpointFile(step)));
  const all = numberedCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(old.file, { force: true });
}

/** Removes the numbered checkpoints past `step` (a run resumed from an earlier one redoes those updates). */
export function dropNumberedCheckpointsAfter(runDir: string, step: number): number[] {
  const later = numberedCheckpoints(runDir).filter((c) => c.step > step);
  for (const c of later) fs.rmSync(c.file, { force: true });
  return later.map((c) => c.step);
}
