/** Defaults of `gpu-check`: eight minutes in all, every part. */
export const GPU_CHECK_DEFAULTS = { budgetSeconds: 480 } as const;

/** The default output folder, new for every run: checkpoints/gpu-check-YYYYMMDD-HHMMSS. */
export function defaultGpuCheckDir(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `checkpoints/gpu-check-${stamp}`;
}
