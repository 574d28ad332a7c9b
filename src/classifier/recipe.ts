import { z } from 'zod';

/** How the classifier is trained; recorded in its classifier.json. */
export const classifierRecipeSchema = z.object({
  /** Passes over the training images (ignored when `steps` is given). */
  epochs: z.number().int().positive(),
  /** Optimiser updates; null: `epochs` passes. */
  steps: z.number().int().positive().nullable(),
  batchSize: z.number().int().positive(),
  /** Adam learning rate, after a linear warm-up, decayed to zero by a cosine. */
  lr: z.number().positive(),
  warmupSteps: z.number().int().nonnegative(),
  /** Seed of the initialisation and of the per-epoch shuffles. */
  seed: z.number().int(),
  /** Train on the first `subset` training images; null: all of them. */
  subset: z.number().int().positive().nullable(),
});

export type ClassifierRecipe = z.infer<typeof classifierRecipeSchema>;

export const CLASSIFIER_RECIPE_DEFAULTS: ClassifierRecipe = {
  epochs: 3,
  steps: null,
  batchSize: 128,
  lr: 2e-3,
  warmupSteps: 50,
  seed: 0,
  subset: null,
};

/** Updates per epoch: whole batches only (the remainder of a shuffle waits for the next epoch's shuffle). */
export function stepsPerEpoch(count: number, batchSize: number): number {
  return Math.max(1, Math.floor(count / batchSize));
}

export function totalSteps(recipe: ClassifierRecipe, count: number): number {
  return recipe.steps ?? recipe.epochs * stepsPerEpoch(count, recipe.batchSize);
}

/** Test accuracy the recipe is expected to reach on MNIST; below it the command warns. */
export const MNIST_TARGET_ACCURACY = 0.985;
