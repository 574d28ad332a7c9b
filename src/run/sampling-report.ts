import type { GaussianPath } from '../process/index.js';
import { samplerMethod, type SamplerSettings } from '../sampler/settings.js';

/** What every metrics.json says about how its samples were drawn. */
export interface SamplingProvenance {
  n: number;
  scoreSource: string;
  sampler: SamplerSettings;
  path: GaussianPath;
}

/** The metrics.json fields shared by point-cloud and image evaluations. */
export function samplingReport(req: SamplingProvenance, targetName: string, nfe: number, samplingSeconds: number, metricSeconds: number) {
  return {
    n: req.n,
    score: req.scoreSource,
    sampler: { method: samplerMethod(req.sampler), ...req.sampler },
    /** Score evaluations per sample, counted while sampling. */
    nfe,
    process: { name: req.path.name, ...req.path.params },
    target: targetName,
    sampling_seconds: samplingSeconds,
    metric_seconds: metricSeconds,
  };
}
