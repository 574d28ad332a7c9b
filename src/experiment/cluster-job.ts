import { estimateCell, estimateCellMemoryMB } from './estimate.js';
import type { CellSpec } from './grid.js';

/**
 * What a scheduler needs to run the sweep as an array job, one element per cell of the plan;
 * written out by emit-slurm.ts (an sbatch script) and emit-k8s.ts (an Indexed Job).
 */
export interface ClusterJob {
  name: string;
  /** Elements 0 .. cells - 1: the plan's indices. */
  cells: number;
  /** Elements running at once. */
  maxRunning: number;
  /** Each element's time limit, minutes, and memory, MB. */
  minutes: number;
  memoryMB: number;
  /** Cores of each element (the wasm backend's threads). */
  cpus: number;
  /** Where the project is installed on every node (the payload runs there). */
  workdir: string;
  /** The experiment directory, on a file system every node shares; absolute. */
  out: string;
  /** The payload, run in `workdir`: the project's own command for the element's cell. */
  command: string[];
}

/**
 * The cost model is of a 2-core x86-64 CPU, right to a few tens of percent; a cluster's cores
 * differ, and an element over its limit is killed, so the request is generous.
 */
export const CLUSTER_MARGIN = { time: 3, minMinutes: 10, memory: 2, memoryStepMB: 256 } as const;

/** One time and memory request for every element: the costliest cell's, with the margins above. */
export function clusterResources(specs: readonly CellSpec[]): { minutes: number; memoryMB: number } {
  const seconds = Math.max(0, ...specs.map((s) => estimateCell(s, true).total));
  const memory = Math.max(0, ...specs.map(estimateCellMemoryMB));
  return {
    minutes: Math.max(CLUSTER_MARGIN.minMinutes, Math.ceil((seconds * CLUSTER_MARGIN.time) / 60)),
    memoryMB: Math.ceil((memory * CLUSTER_MARGIN.memory) / CLUSTER_MARGIN.memoryStepMB) * CLUSTER_MARGIN.memoryStepMB,
  };
}

/** POSIX shell quoting: plain words as they are, anything else in single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
