import type { Rng } from '../src/rng.js';
import type { Backbone, BackboneConfig } from './backbone.js';
import { createMlp } from './mlp.js';

export type { Backbone, BackboneConfig, NamedParameter } from './backbone.js';
export { parameterCount } from './backbone.js';
export { ACTIVATIONS, type Activation } from './activations.js';

export function createBackbone(config: BackboneConfig, rng: Rng): Backbone {
  switch (config.kind) {
    case 'mlp':
      return createMlp(config, rng);
  }
}
