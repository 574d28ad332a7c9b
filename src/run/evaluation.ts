import { hasExactScore, isImageSource, type DataSource } from '../../datasets/target.js';
import { evaluate, type EvaluationRequest, type EvaluationResult } from './evaluate.js';
import { evaluateImages, type ImageEvaluationResult } from './evaluate-images.js';

/** One evaluation of samples, whichever kind of data: point clouds against target samples, images by a classifier. */
export type Evaluation = { kind: 'points'; result: EvaluationResult } | { kind: 'images'; result: ImageEvaluationResult };

export interface AnyEvaluationRequest extends Omit<EvaluationRequest, 'target'> {
  target: DataSource;
  /** The classifier of the image metrics (images only). */
  classifierDir: string;
}

/** Samples, writes samples.npy, the picture and metrics.json, and computes the metrics that suit the data. */
export async function evaluateSource(req: AnyEvaluationRequest): Promise<Evaluation> {
  const { target, classifierDir, ...rest } = req;
  if (isImageSource(target)) return { kind: 'images', result: await evaluateImages({ ...rest, source: target, classifierDir }) };
  if (hasExactScore(target)) return { kind: 'points', result: await evaluate({ ...rest, target }) };
  throw new Error(`evaluation: target ${target.name} is neither an image source nor a target with exact scores`);
}

/** The result of a point-cloud evaluation; an image evaluation is refused (its data has no exact score). */
export function pointsResult(e: Evaluation): EvaluationResult {
  if (e.kind !== 'points') throw new Error(`evaluation: expected the metrics of a point cloud, got image metrics (${e.result.outDir})`);
  return e.result;
}
