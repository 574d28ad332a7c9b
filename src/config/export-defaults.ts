/** Weight files `npm run export` can write: tfjs (weights.bin and its manifest), safetensors, or both. */
export const EXPORT_FORMATS = ['tfjs', 'safetensors', 'all'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_DEFAULTS = { format: 'all', weights: 'ema' } as const;
