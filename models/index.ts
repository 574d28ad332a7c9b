import type { Rng } from '../src/rng.js';
import type { Backbone, BackboneConfig } from './backbone.js';
import { createMlp } from './mlp.js';
import { createUnet } from './unet.js';

export type { Backbone, BackboneConfig, NamedParameter } from './backbone.js';
export { parameterCount } from './backbone.js';
export { describeBackbone } from './describe.js';
export { ACTIVATIONS, type Activation } from './activations.js';
export type { MlpConfig } from './mlp.js';
export { UNET_DEFAULTS, unetConfigProblem, type UnetConfig } from './unet.js';

export function createBackbone(config: BackboneConfig, rng: Rng): Backbone {
  switch (config.kind) {
    case 'mlp':
      return createMlp(config, rng);
    case 'unet':
      return createUnet(config, rng);
  }
}
