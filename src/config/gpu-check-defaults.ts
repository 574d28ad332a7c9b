import { folderTimeStamp } from '../io/time-stamp.js';

/** Defaults of `gpu-check`: eight minutes in all, every part. */
export const GPU_CHECK_DEFAULTS = { budgetSeconds: 480 } as const;

/** The default output folder, new for every run: checkpoints/gpu-check-YYYYMMDD-HHMMSS. */
export function defaultGpuCheckDir(now = new Date()): string {
  return `checkpoints/gpu-check-${folderTimeStamp(now)}`;
}
