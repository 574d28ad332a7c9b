import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../backend.js';
import { BENCH_CASES, runBenchCase, type BenchRow } from '../bench/cases.js';
import { formatBenchTable } from '../bench/report.js';
import { BENCH_DEFAULTS, type BenchFlags } from '../cli/bench-options.js';
import { printJsonSummary } from '../cli/run-command.js';
import { checkReplicaBackend } from './resolve-train-config.js';

/** `npm run bench`: one row per case, progress on stderr, the table (or JSON) on stdout. */
export async function benchCommand(f: BenchFlags): Promise<number> {
  const replicas = f.replicas ?? BENCH_DEFAULTS.replicas;
  const choice = f.backend ?? BENCH_DEFAULTS.backend;
  checkReplicaBackend(replicas, choice);
  // Each replica is one thread, as in train: the wasm pool stays at 1 unless --threads asks for more.
  const backend = await initBackend(choice, { threads: f.threads ?? (replicas > 1 ? 1 : undefined) });
  checkReplicaBackend(replicas, backend.name, choice === 'auto');
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
