import { z } from 'zod';
import { ACTIVATIONS } from './activations.js';
import { unetConfigProblem } from './unet.js';

const positiveInt = z.number().int().positive();

/** Architecture of the MLP backbone: what a run's config and an export bundle record. */
export const mlpConfigSchema = z.object({
  kind: z.literal('mlp'),
  dim: positiveInt,
  width: positiveInt,
  depth: positiveInt,
  activation: z.enum(ACTIVATIONS),
  timeFrequencies: positiveInt,
  maxFrequency: z.number().finite().positive(),
});

/** Fields of the U-Net backbone (models/unet.ts), before the cross-field checks. */
export const unetConfigFields = z.object({
  kind: z.literal('unet'),
  dim: positiveInt,
  imageShape: z.tuple([positiveInt, positiveInt, positiveInt]),
  channels: z.array(positiveInt).min(1),
  blocksPerLevel: positiveInt,
  attention: z.boolean(),
  groups: positiveInt,
  embedDim: positiveInt,
  timeFrequencies: positiveInt,
  maxFrequency: z.number().finite().positive(),
});

/** The cross-field checks of a U-Net config (shape against dim, groups against channels). */
export function refineUnet(c: z.infer<typeof unetConfigFields>, ctx: z.RefinementCtx): void {
  const problem = unetConfigProblem(c);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

/** Architecture of the U-Net backbone: what a run's config and an export bundle record. */
export const unetConfigSchema = unetConfigFields.superRefine(refineUnet);

/** One member per backbone kind. */
export const backboneConfigSchema = z.discriminatedUnion('kind', [mlpConfigSchema, unetConfigSchema]);
