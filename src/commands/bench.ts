import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend } from '../platform/backend.js';
import { BENCH_CASES, runBenchCase, type BenchRow } from '../bench/cases.js';
import { formatBenchTable } from '../bench/report.js';
import { BENCH_DEFAULTS } from '../config/bench-defaults.js';
import { printJsonSummary } from './json-summary.js';
import type { BenchCommandRequest } from './bench-request.js';
import { initReplicaBackend } from './replica-backend.js';

/** `npm run bench`: one row per case, progress on stderr, the table (or JSON) on stdout. */
export async function benchCommand(f: BenchCommandRequest): Promise<number> {
  const replicas = f.replicas ?? BENCH_DEFAULTS.replicas;
  const backend = await initReplicaBackend(f.backend ?? BENCH_DEFAULTS.backend, replicas, f.threads);
  const cases = f.cases ?? [...BENCH_CASES];
  const options = { repeatScale: f.repeatScale ?? BENCH_DEFAULTS.repeatScale, baseline: f.baseline, replicas };
  const load = os.loadavg()[0]!;
  process.stderr.write(`${describeBackend(backend)}; ${os.cpus().length} cores; load average ${load.toFixed(2)}\n`);
  const rows: BenchRow[] = [];
  for (const name of cases) {
    process.stderr.write(`bench: ${name} ...\n`);
    rows.push(await runBenchCase(name, options));
  }
  const summary = {
    backend: backend.name,
    threads: backend.threads,
    replicas,
    cores: os.cpus().length,
    loadAverage: { before: load, after: os.loadavg()[0]! },
    node: process.version,
    tfjs: tf.version_core,
    rows,
  };
  if (f.json) printJsonSummary(summary);
  else process.stdout.write(formatBenchTable(rows) + '\n');
  return 0;
}
