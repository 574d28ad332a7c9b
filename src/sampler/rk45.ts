import * as tf from '@tensorflow/tfjs-core';
import { bisectTau } from '../process/bisect-tau.js';
import type { GaussianPath } from '../process/index.js';
import { integrateAdaptive, MAX_FACTOR, MIN_FACTOR } from './dormand-prince.js';
import { logNoiseToSignal } from './noise-grid.js';
import type { OdeSolver } from './ode-solver.js';
import type { Velocity } from './probability-flow.js';

/**
 * The probability-flow ODE in the time u = log(b / a) = -lambda instead of tau:
 * dx/du = (dx/dtau) (dtau/du), dtau/du = 2 b^2 / g^2 (since dlambda/dtau =
 * -g^2 / (2 b^2) for every Gaussian path), tau(u) by bisection. Why: near PBM's
 * pinned end dx/dtau grows like 1 / (1 - tau) while dx/du stays of the order
 * of x, and stepping in tau there let the error estimate pass a first step
 * that already missed by 3e-5, leaving the error at 3e-4 for every tolerance
 * below 1e-4 (docs/solvers.md). In u the error follows the tolerance on VP,
 * sub-VP and PBM alike.
 */
function inLogNoiseToSignal(path: GaussianPath, velocity: Velocity, tauMin: number, tauMax: number): Velocity {
  return (x, u) => {
    const tau = bisectTau((t) => logNoiseToSignal(path, t), u, tauMin, tauMax);
    const { b } = path.coefficients(tau);
    const dTauDu = (2 * b * b) / path.diffusionSquared(tau);
    return tf.tidy(() => tf.mul(velocity(x, tau), dTauDu) as tf.Tensor2D);
  };
}

/**
 * Adaptive Dormand-Prince 5(4) on the probability-flow ODE, from tau_max down
 * to tau_min, stepping in u = log(b / a) (inLogNoiseToSignal), with one error
 * norm for the whole batch (integrateAdaptive, dormand-prince.ts).
 */
export const rk45: OdeSolver = {
  name: 'rk45',
  family: 'ode',
  update:
    'probability-flow ODE v(x, t) = f(t) x - g(t)^2 s(x, t) / 2, written in u = log(b/a) as dx/du = v(x, t(u)) 2 b^2 / g^2, ' +
    'adaptive Dormand-Prince 5(4) in u from u(tau_max) to u(tau_min), ' +
    'accepting a step when the RMS over the batch of err / (atol + rtol max(|x|, |x_new|)) is at most 1, ' +
    `step factor 0.9 norm^(-1/5) within [${MIN_FACTOR}, ${MAX_FACTOR}], first step by Hairer's rule; `,
  evaluationsPerStep: null,
  defaultGrid: 'uniform',
  refusal: () => null,
  async integrate(x, { path, velocity: inTau, levels, tolerance, reached }) {
    const tauMax = levels[0]!;
    const tauMin = levels[levels.length - 1]!;
    // u = log(b / a) decreases with tau.
    const uEnd = logNoiseToSignal(path, tauMin);
    const tauAt = (u: number) => (u === uEnd ? tauMin : bisectTau((t) => logNoiseToSignal(path, t), u, tauMin, tauMax));
    return integrateAdaptive(inLogNoiseToSignal(path, inTau, tauMin, tauMax), x, logNoiseToSignal(path, tauMax), uEnd, tolerance, {
      onAccept: (u, y) => reached(tauAt(u), y),
      tauAt,
    });
  },
};
