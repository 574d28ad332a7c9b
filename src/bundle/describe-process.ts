export const SAMPLER_UPDATE =
  'uniform grid t_k = tau_min + k h, h = (tau_max - tau_min) / steps; start from the prior at tau_max; ' +
  'for k = steps..1: x <- x - h [f(t_k) x - g(t_k)^2 s(x, t_k)] + g(t_k) sqrt(h) z, z ~ N(0, I); ' +
  'if corrector {steps, snr}: then that many Langevin steps at t_{k-1}, x <- x + eps s + sqrt(2 eps) z, ' +
  'eps = 2 (snr mean|z| / mean|s|)^2 with the norms averaged over the batch; ' +
  'if denoise: x <- (x + b(tau_min)^2 s(x, tau_min)) / a(tau_min); ' +
  'if clip {lo, hi}: s is read through the clipped denoised estimate, x0_hat = clip((x + b(t)^2 s) / a(t), lo, hi), ' +
  's <- (a(t) x0_hat - x) / b(t)^2, at every step and in the final denoising (whose result is clipped too)';
