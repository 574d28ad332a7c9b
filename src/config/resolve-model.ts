import { isImageSource, type DataSource } from '../../datasets/index.js';
import type { BackboneKind } from '../../models/backbone.js';
import { UsageError } from '../errors.js';
import type { Recipe } from './recipes.js';
import type { ModelConfig } from './run-config.js';
import { trainSettings } from './settings.js';
import { flagOf, type TrainRequest } from './train-request.js';

/** The network: an MLP on points, a U-Net on images (by default); a setting of the other backbone is an error. */
export function resolveModel(request: TrainRequest, recipe: Recipe, target: DataSource): ModelConfig {
  const kind: BackboneKind = request.backbone ?? (isImageSource(target) ? 'unet' : 'mlp');
  for (const [key, setting] of trainSettings()) {
    const foreign = setting.resume === 'locked' && setting.backbone !== undefined && setting.backbone !== kind;
    if (foreign && request[key] !== undefined) throw new UsageError(`${flagOf(key)} ${String(request[key])}: does not apply to --backbone ${kind}`);
  }
  const read = { parameterisation: request.parameterisation ?? recipe.parameterisation, dataStd: target.dataStd };
  const time = { timeFrequencies: request.timeFrequencies ?? recipe.timeFrequencies, maxFrequency: request.maxFrequency ?? recipe.maxFrequency };
  if (kind === 'mlp') {
    return {
      kind,
      dim: target.dim,
      width: request.width ?? recipe.width,
      depth: request.depth ?? recipe.depth,
      activation: request.activation ?? recipe.activation,
      ...time,
      ...read,
    };
  }
  if (!isImageSource(target)) throw new UsageError(`--backbone unet: --target ${target.name} is not an image target; accepted: mlp`);
  // Only image targets reach here: their recipe is the CPU one.
  const channels = request.channels ?? [...recipe.channels];
  const groups = request.groups ?? recipe.groups;
  const model: ModelConfig = {
    kind,
    dim: target.dim,
    imageShape: [target.height, target.width, target.channels],
    channels,
    blocksPerLevel: request.blocksPerLevel ?? recipe.blocksPerLevel,
    attention: request.attention ?? recipe.attention,
    groups,
    embedDim: request.embedDim ?? 4 * channels[0]!,
    ...time,
    ...read,
  };
  if (groups % 2 !== 0) throw new UsageError(`--groups ${groups}: expected an even number (the up path joins two halves)`);
  const bad = channels.find((c) => c % groups !== 0);
  if (bad !== undefined) throw new UsageError(`--channels ${channels.join(',')}: ${bad} is not divisible by --groups ${groups}`);
  return model;
}
