import type { BackendChoice } from '../platform/backend.js';
import type { TrainRequest } from '../config/train-request.js';

/**
 * What `train` takes: the run's settings, then the command's own (where the
 * run goes, the backend it runs on, the evaluation after training, printing).
 */
export interface TrainCommandRequest {
  run: TrainRequest;
  /** New run directory (default: checkpoints/<target>-<process>-<time>). */
  out?: string;
  /** Run directory to continue. */
  resume?: string;
  /** With resume: continue from the numbered checkpoint of this step instead of the latest. */
  fromStep?: number;
  /** Numbered checkpoints to keep (checkpoint-<step>.bin) besides checkpoint.bin; 1 (default): none. */
  keepCheckpoints?: number;
  /** Every K steps, a snapshot (a small fixed-seed sample of the EMA weights) into snapshots/; 0 or absent: none. */
  snapshotEvery?: number;
  backend?: BackendChoice;
  threads?: number;
  eval: boolean;
  evalSamples?: number;
  evalSteps?: number;
  evalBatchSize?: number;
  classifier?: string;
  json: boolean;
}
