import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_CHOICES, describeBackend, initBackend, type BackendChoice } from '../platform/backend.js';
import { Rng } from '../rng.js';

/**
 * `./run.sh doctor`'s check of one backend on the device: does it load (and
 * why not), does a matrix product on it agree with float64 arithmetic, and
 * how fast is a large one. Run once per backend, each in its own process;
 * `--json` prints the result as one JSON object (the text goes to stderr).
 */

const CHECK = 192;
const SPEED_MAX = 4096;

function randomMatrix(rng: Rng, n: number): Float32Array {
  return Float32Array.from(rng.normals(n * n));
}

/** Largest |got - exact| / (sum_k |a_ik b_kj|): the error relative to the product's own scale. */
function productError(a: Float32Array, b: Float32Array, got: Float32Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let exact = 0;
      let scale = 0;
      for (let k = 0; k < n; k++) {
        const term = a[i * n + k]! * b[k * n + j]!;
        exact += term;
        scale += Math.abs(term);
      }
      worst = Math.max(worst, Math.abs(got[i * n + j]! - exact) / scale);
    }
  }
  return worst;
}

/** Seconds per n x n product, after a warm-up (shader compilation, buffer allocation). */
async function timeMatMul(n: number): Promise<number> {
  const x = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const y = tf.randomNormal([n, n], 0, 1, 'float32', 3);
  await tf.matMul(x, y).data();
  const repeats = 3;
  const started = performance.now();
  const products = Array.from({ length: repeats }, () => tf.matMul(x, y));
  await Promise.all(products.map((p) => p.data()));
  const seconds = (performance.now() - started) / 1000 / repeats;
  tf.dispose([x, y, ...products]);
  return seconds;
}

export interface DeviceCheckResult {
  choice: BackendChoice;
  loaded: boolean;
  /** Why it did not load. */
  reason?: string;
  /** The backend that loaded, as `describeBackend` puts it (adapter, threads). */
  description?: string;
  /** Largest error of a 192 x 192 product against float64, relative to the product's scale. */
  matmulError?: number;
  ok: boolean;
  speed: { n: number; ms: number; gflops: number }[];
}

/** `maxSeconds`: the speed test takes no larger product that would end after it (a product 2x larger costs 8x, run 4 times). */
async function check(choice: BackendChoice, say: (line: string) => void, maxSeconds = Infinity): Promise<DeviceCheckResult> {
  const started = performance.now();
  let active;
  try {
    active = await initBackend(choice);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    say(`${choice}: does not load: ${reason}`);
    return { choice, loaded: false, reason, ok: false, speed: [] };
  }
  const description = describeBackend(active);
  say(`${choice}: ${description}`);
  const rng = Rng.fromSeed(1);
  const a = randomMatrix(rng, CHECK);
  const b = randomMatrix(rng, CHECK);
  const got = (await tf.matMul(tf.tensor2d(a, [CHECK, CHECK]), tf.tensor2d(b, [CHECK, CHECK])).data()) as Float32Array;
  const error = productError(a, b, got, CHECK);
  // A float32 sum of 192 terms is off by at most 192 u = 1.1e-5 of its scale.
  const ok = error < 2e-5;
  say(`  ${CHECK} x ${CHECK} matMul against float64: largest error ${error.toExponential(2)} of the product's scale (${ok ? 'ok' : 'WRONG'})`);

  // Larger products until one takes a while (a software adapter stops early).
  const speed: DeviceCheckResult['speed'] = [];
  for (let n = 256; n <= SPEED_MAX; n *= 2) {
    const seconds = await timeMatMul(n);
    const gflops = (2 * n ** 3) / seconds / 1e9;
    speed.push({ n, ms: 1000 * seconds, gflops });
    say(`  ${n} x ${n} matMul: ${gflops.toFixed(1)} GFLOP/s (${(1000 * seconds).toFixed(1)} ms each)`);
    if (seconds > 0.25) break;
    if ((performance.now() - started) / 1000 + 4 * 8 * seconds > maxSeconds) {
      say(`  (larger products skipped: they would take past the ${maxSeconds.toFixed(0)} s given)`);
      break;
    }
  }
  return { choice, loaded: true, description, matmulError: error, ok, speed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // device-check.ts [BACKEND] [--json] [--max-seconds S]
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const budgetAt = args.indexOf('--max-seconds');
  const maxSeconds = budgetAt >= 0 ? Number(args[budgetAt + 1]) : Infinity;
  const choice = args.find((a, i) => !a.startsWith('--') && i !== budgetAt + 1) ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    console.error(`error: backend '${choice}': expected one of ${BACKEND_CHOICES.join(', ')}`);
    process.exitCode = 2;
  } else {
    const result = await check(choice as BackendChoice, json ? (line) => console.error(line) : (line) => console.log(line), maxSeconds);
    if (json) process.stdout.write(JSON.stringify(result) + '\n');
    process.exitCode = result.ok ? 0 : 1;
  }
}
