import type { ClusterJob } from './cluster-job.js';

export interface K8sOptions {
  /** A container image with the project installed in `workdir`. */
  image: string;
  /** A ReadWriteMany PersistentVolumeClaim, mounted at the experiment directory in every pod. */
  claim: string;
  /** A Slurm-style GPU request (gpu:N or gpu:TYPE:N), as nvidia.com/gpu: N. */
  gres?: string;
}

/** gpu:2 or gpu:a100:2 -> 2; anything else -> none. */
function gpuCount(gres: string | undefined): number | null {
  const m = gres?.match(/^gpu(?::([^:]+))?(?::(\d+))?$/);
  if (!m) return null;
  if (m[2] !== undefined) return Number(m[2]);
  return m[1] !== undefined && /^\d+$/.test(m[1]) ? Number(m[1]) : 1;
}

/**
 * The same sweep as a Kubernetes Indexed Job (batch/v1): completions = cells, each pod runs the cell
 * of its JOB_COMPLETION_INDEX; pod retries (backoffLimit) restart an interrupted cell, which writes
 * its results once. Returned as an object; JSON is valid YAML for `kubectl apply -f`.
 */
export function k8sJobManifest(job: ClusterJob, o: K8sOptions): Record<string, unknown> {
  const gpus = gpuCount(o.gres);
  const memory = `${job.memoryMB}Mi`;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: job.name, labels: { app: 'score-sde', 'score-sde/study': job.name } },
    spec: {
      completionMode: 'Indexed',
      completions: job.cells,
      parallelism: job.maxRunning,
      // Every cell may be retried a couple of times (preemption, node loss) before the Job fails.
      backoffLimit: job.cells * 2,
      template: {
        metadata: { labels: { app: 'score-sde' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'cell',
              image: o.image,
              workingDir: job.workdir,
              command: job.command,
              resources: {
                requests: { cpu: String(job.cpus), memory },
                limits: { memory, ...(gpus !== null ? { 'nvidia.com/gpu': String(gpus) } : {}) },
              },
              volumeMounts: [{ name: 'experiment', mountPath: job.out }],
            },
          ],
          // The pod's own deadline: the element's time limit, as Slurm's --time.
          activeDeadlineSeconds: job.minutes * 60,
          volumes: [{ name: 'experiment', persistentVolumeClaim: { claimName: o.claim } }],
        },
      },
    },
  };
}
