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
