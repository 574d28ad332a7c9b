export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/**
 * Learning rate at update `step` (1-based): linear warm-up over `warmup` steps,
 * then constant or cosine decay to zero at `total`.
 */
export function learningRate(step: number, base: number, warmup: number, total: number, schedule: LrSchedule): number {
  if (step <= warmup) return (base * step) / warmup;
  if (schedule === 'constant') return base;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return 0.5 * base * (1 + Math.cos(Math.PI * progress));
}
