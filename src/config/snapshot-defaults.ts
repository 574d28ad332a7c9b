import { isImageTargetName } from '../../datasets/index.js';

/**
 * The small sample train draws every --snapshot-every K steps (k-diffusion's --demo-every): few
 * points, few steps of the default reverse-SDE sampler, no corrector, so that it stays cheap next
 * to K training steps (docs/cli.md gives the measured cost). The same noise every time, so the
 * strip of snapshots shows the network changing, not the draw.
 */
export const SNAPSHOT_RECIPES = {
  point: { n: 256, steps: 100, batchSize: 256 },
  image: { n: 16, steps: 50, batchSize: 16 },
} as const;

export function snapshotRecipe(targetName: string): (typeof SNAPSHOT_RECIPES)[keyof typeof SNAPSHOT_RECIPES] {
  return SNAPSHOT_RECIPES[isImageTargetName(targetName) ? 'image' : 'point'];
}
