import { fourierFrequencies } from '../../models/time-features.js';
import type { Parameterisation } from '../parameterisation.js';
import { unetConstants, unetForward, unetLayout } from './describe-unet.js';
import type { BundleBackbone } from './format.js';

/** What a reimplementation needs beyond the weights: the forward pass in words and its constants. */
export interface NetworkDescription {
  forward: string[];
  constants: Record<string, number[]>;
  /** Layout of a tensor, by name. */
  layout(name: string): string;
}

const ACTIVATION_FORMULAS: Record<string, string> = {
  silu: 'silu(h) = h * sigmoid(h)',
  relu: 'relu(h) = max(h, 0)',
  tanh: 'tanh(h)',
  gelu: 'gelu(h) = 0.5 h (1 + tanh(sqrt(2 / pi) (h + 0.044715 h^3)))  (the tanh approximation)',
};

const OUTPUT_FORMULAS: Record<Parameterisation, string> = {
  noise: 'score s(x, tau) = -out / b(tau)   (out predicts the noise eps)',
  score: 'score s(x, tau) = out',
  data: 'score s(x, tau) = (a(tau) out - x) / b(tau)^2   (out predicts the clean data x0)',
};

const INPUT_SCALING = 'c_in(tau) = 1 / sqrt(a(tau)^2 dataStd^2 + b(tau)^2); the backbone sees x_in = c_in(tau) x';

function describeMlp(b: Extract<BundleBackbone, { kind: 'mlp' }>, parameterisation: Parameterisation): NetworkDescription {
  const last = b.depth;
  return {
    forward: [
      'x: [n, dim] points, tau: noise level in [0, 1] (one per row)',
      INPUT_SCALING,
      `omega = constants.omega (${b.timeFrequencies} angular frequencies: 2 pi f_k, f_k geometric from 0.5 to maxFrequency)`,
      'phase = tau * omega  ([n, timeFrequencies])',
      'h = concat([x_in, sin(phase), cos(phase)], axis=-1)  ([n, dim + 2 timeFrequencies], in this order)',
      `for i in 0..${last - 1}: h = ${b.activation}(h @ dense{i}/kernel + dense{i}/bias)`,
      `out = h @ dense${last}/kernel + dense${last}/bias  (no activation)  ([n, dim])`,
      ACTIVATION_FORMULAS[b.activation]!,
      OUTPUT_FORMULAS[parameterisation],
    ],
    constants: { omega: Array.from(fourierFrequencies(b.timeFrequencies, b.maxFrequency)) },
    layout: (name) =>
      name.endsWith('/kernel')
        ? '[in, out], row-major: y = x @ kernel (PyTorch nn.Linear.weight is its transpose)'
        : '[out]: added after the product',
  };
}

export function describeNetwork(backbone: BundleBackbone, parameterisation: Parameterisation): NetworkDescription {
  switch (backbone.kind) {
    case 'mlp':
      return describeMlp(backbone, parameterisation);
    case 'unet':
      return {
        forward: [...unetForward(backbone), INPUT_SCALING, OUTPUT_FORMULAS[parameterisation]],
        constants: unetConstants(backbone),
        layout: unetLayout,
      };
  }
}
