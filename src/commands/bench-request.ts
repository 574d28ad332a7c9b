import type { BackendChoice } from '../platform/backend.js';
import type { BenchCaseName } from '../bench/cases.js';

/** What `bench` takes: the cases, how many repeats, the baseline beside them, and where they run. */
export interface BenchCommandRequest {
  /** Default: every case. */
  cases?: BenchCaseName[];
  /** Multiplies every case's number of timed repeats. */
  repeatScale?: number;
  /** Time the tf.layers build of each training case alongside. */
  baseline: boolean;
  backend?: BackendChoice;
  threads?: number;
  replicas?: number;
  json: boolean;
}
