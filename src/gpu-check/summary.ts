import type { GpuCheckReport, PartReport } from './run-check.js';

/**
 * One line per part of a GPU check's report, for the terminal and the notes:
 * what loaded, parity, ms per step. Reads the report's JSON loosely (a part
 * that failed half-way leaves half its fields).
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const fixed = (v: unknown, digits: number): string => (num(v) === null ? '?' : num(v)!.toFixed(digits));
const exp = (v: unknown): string => (num(v) === null ? '?' : num(v)!.toExponential(1));

function stackLine(r: Json): string {
  const smi = obj(r['nvidiaSmi']);
  const gpus = Array.isArray(smi['gpus']) ? (smi['gpus'] as Json[]).map((g) => `${String(g['name'])} (driver ${String(g['driver'])})`).join(', ') : '';
  const missing = Array.isArray(r['webgpu_missing']) ? (r['webgpu_missing'] as string[]) : [];
  const torch = obj(r['python']);
  const caps = obj(r['env'])['NVIDIA_DRIVER_CAPABILITIES'];
  const icds = Array.isArray(r['icdFiles']) ? (r['icdFiles'] as Json[]).map((f) => String(f['file'])) : [];
  return [
    smi['found'] === true ? gpus || 'nvidia-smi lists no GPU' : 'nvidia-smi not found',
    `NVIDIA_DRIVER_CAPABILITIES ${caps === undefined ? 'unset' : `'${String(caps)}'`}`,
    `Vulkan ICD files: ${icds.join(', ') || 'none'}`,
    missing.length === 0 ? 'webgpu prerequisites present' : `webgpu is missing: ${missing.join('; ')}`,
    torch['torch'] ? `PyTorch ${String(torch['torch'])}${torch['cuda'] === true ? ' with CUDA' : ' without CUDA'}` : 'no PyTorch',
  ].join('; ');
}

function doctorLine(r: Json): string {
  const backends = Object.entries(obj(r['backends'])).filter(([b]) => b !== 'auto');
  const speed = (v: Json) => {
    const rows = Array.isArray(v['speed']) ? (v['speed'] as Json[]) : [];
    return rows.length === 0 ? '' : ` ${Math.max(...rows.map((s) => num(s['gflops']) ?? 0)).toFixed(0)} GFLOP/s`;
  };
  const loaded = backends.filter(([, v]) => obj(v)['loaded'] === true).map(([b, v]) => `${b}${speed(obj(v))}`);
  const others = backends
    .filter(([, v]) => obj(v)['loaded'] !== true)
    .map(([b, v]) => `${b} (${String(obj(v)['reason'] ?? obj(v)['error'] ?? 'no result')})`);
  const auto = obj(obj(r['backends'])['auto']);
  return [`loaded: ${loaded.join(', ') || 'none'}`, ...(others.length ? [`not loaded: ${others.join(', ')}`] : []), `auto: ${String(auto['description'] ?? auto['error'] ?? 'no result')}`].join('; ');
}

function parityLine(r: Json): string {
  return Object.entries(obj(r['backends']))
    .map(([backend, v]) => {
      const checks = obj(v);
      const statuses = ['mlp', 'unet'].map((k) => String(obj(checks[k])['status'] ?? '?'));
      if (statuses.every((s) => s === 'not loaded')) return `${backend} not loaded`;
      const mlp = obj(checks['mlp']);
      return `${backend} MLP ${statuses[0]} (loss ${exp(mlp['lossDifference'])}, samples ${exp(mlp['sampleDifference'])}), U-Net ${statuses[1]} (loss ${exp(obj(checks['unet'])['lossDifference'])})`;
    })
    .join('; ');
}

function benchLine(r: Json): string {
  return Object.entries(r)
    .map(([backend, v]) => {
      const cases = Object.entries(obj(obj(v)['cases']));
      if (cases.length === 0) return `${backend}: ${String(obj(v)['error'] ?? 'no result')}`;
      const parts = cases.map(([name, c]) => {
        const rows = obj(obj(c)['summary'])['rows'];
        const row = Array.isArray(rows) ? obj(rows[0]) : {};
        return row['ms'] !== undefined ? `${name} ${fixed(row['ms'], 2)} ms` : `${name} ${String(obj(c)['error'] ?? 'no result')}`;
      });
      return `${backend}: ${parts.join(', ')}`;
    })
    .join('; ');
}

function trainLine(r: Json): string {
  const s = obj(r['summary']);
  const progress = obj(r['progress']);
  if (r['error'] !== undefined) return `${String(r['error'])}${r['progress'] !== undefined ? ` (reached step ${String(progress['step'])} at ${fixed(progress['steps_per_s'], 1)} steps/s)` : ''}`;
  const metrics = obj(s['metrics']);
  const floor = obj(s['floor']);
  return `${String(s['backend'])}: ${fixed(s['steps_per_second'], 1)} steps/s over ${String(s['steps'])} steps; sinkhorn ${fixed(metrics['sinkhorn'], 3)} (floor ${fixed(floor['sinkhorn'], 3)}), mmd ${fixed(metrics['mmd'], 5)}`;
}

function mnistLine(r: Json): string {
  const train = obj(r['train']);
  const sample = obj(r['sample']);
  const t = obj(train['summary']);
  const progress = obj(train['progress']);
  const reached = train['progress'] !== undefined ? ` (reached step ${String(progress['step'])} at ${fixed(progress['steps_per_s'], 2)} steps/s)` : '';
  const trained = train['error'] !== undefined ? `training: ${String(train['error'])}${reached}` : `${fixed(t['steps_per_second'], 2)} steps/s (${String(t['steps'])} steps in ${fixed(t['train_seconds'], 1)} s)`;
  const drawn = obj(sample['summary']);
  const sampled = sample['error'] !== undefined ? `sampling: ${String(sample['error'])}` : `${String(drawn['n'])} samples (${String(drawn['steps'])} steps) in ${fixed(drawn['sampling_seconds'], 1)} s`;
  return `${trained}; ${sampled}`;
}

function pytorchLine(r: Json): string {
  return r['available'] === true ? `${String(r['device'])}, torch ${String(r['torch'])}: mlp50 ${fixed(r['ms'], 3)} ms/step` : `not run: ${String(r['reason'])}`;
}

const LINES: Record<string, (r: Json) => string> = { stack: stackLine, doctor: doctorLine, parity: parityLine, bench: benchLine, train: trainLine, mnist: mnistLine, pytorch: pytorchLine };

export function partLine(p: PartReport): string {
  const head = `${p.name} [${p.status}, ${p.seconds.toFixed(0)} s of ${p.limit_seconds.toFixed(0)}]`;
  if (p.result === undefined) return `${head}: ${p.error ?? ''}`;
  const line = LINES[p.name];
  return `${head}: ${line ? line(p.result) : ''}`;
}

export function reportLines(report: GpuCheckReport): string[] {
  return report.parts.map(partLine);
}
