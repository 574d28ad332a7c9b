/**
 * TEST-ONLY fault injection for the crash-recovery tests; no user needs it.
 * SCORE_SDE_TEST_KILL_AT=step:N kills this process with SIGKILL right after update N (before its
 * log record and checkpoint); SCORE_SDE_TEST_KILL_AT=checkpoint:N kills it halfway through writing
 * the checkpoint of step N; SCORE_SDE_TEST_KILL_AT=band-swap:K kills an experiment cell before its
 * band swap K (0-based). As kill -9 would, it leaves no chance to clean up.
 */
const KILL_AT = 'SCORE_SDE_TEST_KILL_AT';

function killRequested(point: 'step' | 'checkpoint' | 'band-swap', step: number): boolean {
  return process.env[KILL_AT] === `${point}:${step}`;
}

function killNow(): void {
  process.kill(process.pid, 'SIGKILL');
}

/** Kills the process after update `step` if the test asked for it. */
export function killAfterStepIfAsked(step: number): void {
  if (killRequested('step', step)) killNow();
}

/** The hook to run halfway through writing the checkpoint of `step`, if the test asked for a kill there. */
export function checkpointKillHook(step: number): (() => void) | undefined {
  return killRequested('checkpoint', step) ? killNow : undefined;
}

/** Kills the process before an experiment cell's band swap `k` if the test asked for it. */
export function killBeforeBandSwapIfAsked(k: number): void {
  if (killRequested('band-swap', k)) killNow();
}
