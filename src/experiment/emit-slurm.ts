import { shellQuote, type ClusterJob } from './cluster-job.js';

export interface SlurmOptions {
  partition?: string;
  account?: string;
  /** Generic resources per element, e.g. gpu:1 (a GPU partition's). */
  gres?: string;
}

/** Slurm's D-HH:MM:SS. */
function slurmTime(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
  return d > 0 ? `${d}-${hms}` : hms;
}

/**
 * An sbatch script: one array element per cell (`--array=0-N%K`), each running the project's own
 * command for its cell. --requeue lets Slurm restart an element that was preempted or lost its
 * node; the cell then starts again and writes its results once. Logs go to <out>/logs, one per
 * cell, appended across restarts.
 */
export function slurmScript(job: ClusterJob, o: SlurmOptions = {}): string {
  const directives = [
    `--job-name=${job.name}`,
    `--array=0-${job.cells - 1}%${job.maxRunning}`,
    `--time=${slurmTime(job.minutes)}`,
    `--mem=${job.memoryMB}M`,
    '--ntasks=1',
    `--cpus-per-task=${job.cpus}`,
    '--requeue',
    '--open-mode=append',
    `--output=${job.out}/logs/cell-%a.log`,
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.account ? [`--account=${o.account}`] : []),
    ...(o.gres ? [`--gres=${o.gres}`] : []),
  ];
  return [
    '#!/bin/bash',
    `# The sweep as a Slurm array job: ${job.cells} cells, at most ${job.maxRunning} at once. Submit with: sbatch ${job.out}/cluster/sweep.sbatch`,
    `# Each element runs cell $SLURM_ARRAY_TASK_ID of ${job.out}/plan.json; a finished cell is skipped, an interrupted one goes on from its last checkpoint.`,
    `# Time and memory: the costliest cell's estimate with a margin. When all have ended: the same command with --collect.`,
    ...directives.map((d) => `#SBATCH ${d}`),
    '',
    'set -euo pipefail',
    `cd ${shellQuote(job.workdir)}`,
    `echo "cell $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname), attempt $((\${SLURM_RESTART_COUNT:-0} + 1)), $(date -u +%FT%TZ)"`,
    `exec ${job.command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}
