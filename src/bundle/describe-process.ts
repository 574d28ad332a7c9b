import type { ProcessName } from '../process/index.js';

/** The closed forms behind each process's parameters (MATH section 1), for readers without our code. */
const COMMON = {
  path: 'x_tau = a(tau) x0 + b(tau) eps, eps ~ N(0, I)',
  sde: 'dx = f(tau) x dtau + g(tau) dW',
};

export const PROCESS_FORMULAS: Record<ProcessName, Record<string, string>> = {
  vp: {
    ...COMMON,
    beta: 'beta(tau) = beta_min + tau (beta_max - beta_min)',
    B: 'B(tau) = beta_min tau + (beta_max - beta_min) tau^2 / 2',
    a: 'a(tau) = exp(-B(tau) / 2)',
    b: 'b(tau) = sqrt(1 - exp(-B(tau)))  (computed as sqrt(-expm1(-B)))',
    f: 'f(tau) = -beta(tau) / 2',
    g2: 'g(tau)^2 = beta(tau)',
  },
  pbm: {
    ...COMMON,
    a: 'a(tau) = 1 - tau',
    b: 'b(tau) = sigma sqrt(tau (1 - tau))',
    f: 'f(tau) = -1 / (1 - tau)',
    g2: 'g(tau)^2 = sigma^2',
  },
};

export const SAMPLER_UPDATE =
  'uniform grid t_k = tau_min + k h, h = (tau_max - tau_min) / steps; start from the prior at tau_max; ' +
  'for k = steps..1: x <- x - h [f(t_k) x - g(t_k)^2 s(x, t_k)] + g(t_k) sqrt(h) z, z ~ N(0, I); ' +
  'if corrector {steps, snr}: then that many Langevin steps at t_{k-1}, x <- x + eps s + sqrt(2 eps) z, ' +
  'eps = 2 (snr mean|z| / mean|s|)^2 with the norms averaged over the batch; ' +
  'if denoise: x <- (x + b(tau_min)^2 s(x, tau_min)) / a(tau_min); ' +
  'if clip {lo, hi}: s is read through the clipped denoised estimate, x0_hat = clip((x + b(t)^2 s) / a(t), lo, hi), ' +
  's <- (a(t) x0_hat - x) / b(t)^2, at every step and in the final denoising (whose result is clipped too)';
