import { z } from 'zod';
import { ACTIVATIONS } from './activations.js';

/** Architecture of the MLP backbone: what a run's config and an export bundle record. */
export const mlpConfigSchema = z.object({
  kind: z.literal('mlp'),
  dim: z.number().int().positive(),
  width: z.number().int().positive(),
  depth: z.number().int().positive(),
  activation: z.enum(ACTIVATIONS),
  timeFrequencies: z.number().int().positive(),
  maxFrequency: z.number().finite().positive(),
});

/** One member per backbone kind; a new backbone (the U-Net) adds itself here. */
export const backboneConfigSchema = z.discriminatedUnion('kind', [mlpConfigSchema]);
