/** The linear noise schedule of VP and sub-VP: beta(tau) and its integral B(tau) from 0. */
export function linearBeta(betaMin: number, betaMax: number) {
  return {
    beta: (tau: number) => betaMin + tau * (betaMax - betaMin),
    integrated: (tau: number) => betaMin * tau + 0.5 * (betaMax - betaMin) * tau * tau,
  };
}
