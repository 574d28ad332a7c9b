/** Which weights of a run a command samples from: the EMA average or the raw parameters. */
export const WEIGHT_CHOICES = ['ema', 'raw'] as const;
export type WeightChoice = (typeof WEIGHT_CHOICES)[number];

/** Defaults of `npm run sample` that are not sampler settings (those are the sampling recipes of sampling.ts). */
export const SAMPLE_DEFAULTS = { weights: 'ema', backend: 'auto' } as const;
