import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNode } from '../src/gpu-check/children.js';
import { runGpuCheck, problemsIn, REPORT_FILE, type GpuCheckReport } from '../src/gpu-check/run-check.js';
import { readIcdFile, webgpuMissing, type GpuStack } from '../src/gpu-check/stack.js';
import { partLine } from '../src/gpu-check/summary.js';
import type { GpuCheckPart } from '../src/gpu-check/parts.js';
import { tempDir } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');

/** An NVIDIA host with everything webgpu needs. */
function completeStack(): GpuStack {
  return {
    host: 'Linux 6.1 x86_64',
    nvidiaSmi: { found: true, gpus: [{ name: 'NVIDIA H200', driver: '550.54', memoryMiB: 143771 }] },
    env: { NVIDIA_DRIVER_CAPABILITIES: 'all' },
    icdFiles: [{ file: '/usr/share/vulkan/icd.d/nvidia_icd.json', libraryPath: 'libGLX_nvidia.so.0', nvidia: true }],
    libraries: { 'libvulkan.so.1': '/lib/libvulkan.so.1', 'libGLX_nvidia.so.0': '/lib/libGLX_nvidia.so.0', 'libnvidia-glcore.so': '/lib/libnvidia-glcore.so.550', 'libcuda.so.1': '/lib/libcuda.so.1' },
    devices: ['/dev/nvidia0', '/dev/nvidiactl'],
    python: { python3: true, torch: null, cuda: false, reason: 'torch: not installed' },
  };
}

describe('gpu-check: what webgpu is missing, named', () => {
  it('nothing on a complete NVIDIA stack', () => {
    expect(webgpuMissing(completeStack())).toEqual([]);
  });

  it('a container without the graphics capability: libGLX_nvidia.so.0 and NVIDIA_DRIVER_CAPABILITIES with its value', () => {
    const s = completeStack();
    s.env.NVIDIA_DRIVER_CAPABILITIES = 'compute,utility';
    s.libraries['libGLX_nvidia.so.0'] = null;
    s.icdFiles = [];
    const missing = webgpuMissing(s);
    expect(missing).toHaveLength(2);
    expect(missing[0]).toMatch(/^libGLX_nvidia\.so\.0 .*NVIDIA_DRIVER_CAPABILITIES is 'compute,utility': it must include graphics/);
    expect(missing[1]).toMatch(/^no Vulkan ICD file names NVIDIA's driver: none in \/etc\/vulkan\/icd\.d, .*VK_DRIVER_FILES is unset/);
  });

  it('graphics among the capabilities is not blamed; no loader and no GPU are named', () => {
    const s = completeStack();
    s.env.NVIDIA_DRIVER_CAPABILITIES = 'compute,graphics';
    s.libraries['libGLX_nvidia.so.0'] = null;
    s.libraries['libvulkan.so.1'] = null;
    s.nvidiaSmi = { found: false, gpus: [], reason: 'not found' };
    s.devices = [];
    const missing = webgpuMissing(s);
    expect(missing[0]).toMatch(/^no NVIDIA GPU: nvidia-smi is not found and there is no \/dev\/nvidia0/);
    expect(missing[1]).toMatch(/^libvulkan\.so\.1 /);
    expect(missing[2]).toMatch(/^libGLX_nvidia\.so\.0 /);
    expect(missing[2]).not.toContain("is 'compute,graphics'");
  });

  it('reads an ICD file: its library, and whether it is NVIDIA\'s', () => {
    const dir = tempDir('icd');
    const nvidia = path.join(dir, 'nvidia_icd.json');
    fs.writeFileSync(nvidia, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.3.0' } }));
    const mesa = path.join(dir, 'lvp_icd.x86_64.json');
    fs.writeFileSync(mesa, JSON.stringify({ ICD: { library_path: '/usr/lib/libvulkan_lvp.so' } }));
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{');
    expect(readIcdFile(nvidia)).toEqual({ file: nvidia, libraryPath: 'libGLX_nvidia.so.0', nvidia: true });
    expect(readIcdFile(mesa)).toEqual({ file: mesa, libraryPath: '/usr/lib/libvulkan_lvp.so', nvidia: false });
    expect(readIcdFile(broken)).toEqual({ file: broken, libraryPath: null, nvidia: false });
  });
});

describe('gpu-check: the schedule', () => {
  it('collects every error inside a result with its place', () => {
    expect(problemsIn({ webgpu: { summary: { rows: [] } }, wasm: { error: 'stopped at the time limit' }, train: { sample: { error: 'not run' } } })).toEqual([
      'wasm: stopped at the time limit',
      'train.sample: not run',
    ]);
  });

  it('a part that crashes or hangs does not stop the next; the report holds every part', async () => {
    const dir = tempDir('gpu-check-schedule');
    // A stand-in for part-main.ts: `ok` writes its result, `crash` exits without one, `hang` never ends.
    const partMain = path.join(dir, 'fake-part.mjs');
    fs.writeFileSync(
      partMain,
      `import * as fs from 'node:fs';
const [name, out] = process.argv.slice(2);
const write = (record) => { fs.mkdirSync(out + '/parts', { recursive: true }); fs.writeFileSync(out + '/parts/' + name + '.json', JSON.stringify(record)); };
if (name === 'hang') setInterval(() => {}, 1000);
else if (name === 'crash') { console.error('boom: the part fell over'); process.exit(3); }
else if (name === 'half') write({ result: { a: { summary: 1 }, b: { error: 'b failed' } } });
else write({ result: { deadline_left_s: (Number(process.argv[4]) - Date.now()) / 1000 } });
`,
    );
    const part = (name: string, share: number): GpuCheckPart => ({ name, title: name, share, run: async () => ({}) });
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const seen: string[] = [];
    const report = await runGpuCheck({
      outDir: out,
      budgetSeconds: 8,
      parts: [part('first', 1), part('crash', 1), part('hang', 1), part('half', 1), part('last', 1)],
      partMain,
      onPart: (done, finished) => {
        if (finished) seen.push(`${done} ${finished.name}`);
      },
    });
    expect(report.parts.map((p) => [p.name, p.status])).toEqual([
      ['first', 'ok'],
      ['crash', 'failed'],
      ['hang', 'timed out'],
      ['half', 'ok'],
      ['last', 'ok'],
    ]);
    expect(seen).toEqual(['1 first', '2 crash', '3 hang', '4 half', '5 last']);
    expect(report.parts[1]!.error).toBe('exit 3: boom: the part fell over');
    expect(report.parts[3]!.problems).toEqual(['b: b failed']);
    // A part's limit is its share of the time left: the hang's was a third of what remained after two parts.
    const hang = report.parts[2]!;
    expect(hang.limit_seconds).toBeLessThanOrEqual(8 / 3 + 0.1);
    // The last part gets the time left over, and its deadline is that limit from its start.
    const last = report.parts[4]!;
    expect(last.result!['deadline_left_s'] as number).toBeLessThanOrEqual(last.limit_seconds);
    expect(last.result!['deadline_left_s'] as number).toBeGreaterThan(0);
    const written = JSON.parse(fs.readFileSync(path.join(out, REPORT_FILE), 'utf8')) as GpuCheckReport;
    expect(written.parts.map((p) => p.status)).toEqual(report.parts.map((p) => p.status));
    expect(fs.readFileSync(path.join(out, 'logs', 'part-crash.log'), 'utf8')).toContain('boom: the part fell over');
  }, 30_000);

  it('a part with no time left is recorded as not run', async () => {
    const dir = tempDir('gpu-check-spent');
    const report = await runGpuCheck({ outDir: dir, budgetSeconds: 0.5, parts: [{ name: 'stack', title: 'stack', share: 1, run: async () => ({}) }], partMain: '/nonexistent' });
    expect(report.parts[0]).toMatchObject({ name: 'stack', status: 'not run', error: "the check's 0.5 s were spent" });
  });
});

/** Running (a killed process whose parent has not reaped it yet is a zombie: not running). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * A child script that starts a grandchild in a process group of its own, writes `pids` (an
 * expression) to the file argv[2], and on SIGTERM kills the grandchild's group, runs `onStop`
 * and exits 0.
 */
function politeChild(dir: string, pids: string, onStop = ''): string {
  const file = path.join(dir, 'polite.mjs');
  fs.writeFileSync(
    file,
    `import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
const own = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
process.on('SIGTERM', () => { process.kill(-own.pid, 'SIGKILL'); ${onStop} process.exit(0); });
fs.writeFileSync(process.argv[2], ${pids});
setInterval(() => {}, 1000);
`,
  );
  return file;
}

describe('gpu-check: a child past its time', () => {
  it('is asked to stop first (SIGTERM), so it can stop what it started', async () => {
    const dir = tempDir('gpu-check-stop');
    const child = politeChild(dir, 'String(own.pid)', "console.log('stopped');");
    const pidFile = path.join(dir, 'grandchild.pid');
    const r = await runNode(child, [pidFile], 1500, path.join(dir, 'polite.log'), 5000);
    expect(r.timedOut).toBe(true);
    expect(r.stdout.trim()).toBe('stopped');
    // Well before the grace of 5 s ran out: the child stopped on SIGTERM.
    expect(r.seconds).toBeLessThan(5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
  }, 20_000);

  it('one that ignores SIGTERM is killed with its process group after the grace', async () => {
    const dir = tempDir('gpu-check-kill');
    const child = path.join(dir, 'stubborn.mjs');
    fs.writeFileSync(
      child,
      `import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
const own = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
fs.writeFileSync(process.argv[2], String(own.pid));
process.on('SIGTERM', () => {});
setInterval(() => {}, 1000);
`,
    );
    const pidFile = path.join(dir, 'grandchild.pid');
    const r = await runNode(child, [pidFile], 1000, path.join(dir, 'stubborn.log'), 500);
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'stubborn.log'), 'utf8')).toMatch(/\[exit SIGKILL, stopped at the time limit of 1 s, /);
  }, 20_000);
});

describe('gpu-check: interrupted', () => {
  it('SIGTERM to the check stops the running child (which stops its own) and exits 143', async () => {
    const dir = tempDir('gpu-check-interrupt');
    const child = politeChild(dir, "process.pid + ' ' + own.pid");
    const wrapper = path.join(dir, 'wrapper.mts');
    fs.writeFileSync(
      wrapper,
      `import { runNode } from ${JSON.stringify(path.join(root, 'src', 'gpu-check', 'children.ts'))};
await runNode(${JSON.stringify(child)}, [${JSON.stringify(path.join(dir, 'pids'))}], 60_000, ${JSON.stringify(path.join(dir, 'child.log'))});
console.log('not interrupted');
`,
    );
    const check = spawn(process.execPath, ['--import', 'tsx', wrapper], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    check.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const pidFile = path.join(dir, 'pids');
    for (let i = 0; i < 300 && !fs.existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exited = new Promise<number | null>((resolve) => check.on('close', (code) => resolve(code)));
    check.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stdout).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pids = fs.readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(pids.map(alive)).toEqual([false, false]);
  }, 60_000);
});

describe('gpu-check: the lines of the report', () => {
  it('doctor, bench, parity and mnist in one line each', () => {
    const base = { title: '', seconds: 12.3, limit_seconds: 100, problems: [], status: 'ok' as const };
    expect(
      partLine({
        ...base,
        name: 'bench',
        result: {
          webgpu: { rows: [], cases: { mlp50: { summary: { rows: [{ case: 'mlp50', ms: 1.234 }] } }, unet: { error: 'stopped at the time limit after 50 s' } } },
          wasm: { error: 'not run: the time was spent' },
        },
      }),
    ).toBe('bench [ok, 12 s of 100]: webgpu: mlp50 1.23 ms, unet stopped at the time limit after 50 s; wasm: not run: the time was spent');
    expect(
      partLine({
        ...base,
        name: 'doctor',
        result: {
          backends: {
            auto: { loaded: true, description: 'backend: webgpu (NVIDIA H200)' },
            tensorflow: { loaded: false, reason: 'not installed' },
            webgpu: { loaded: true, speed: [{ n: 256, gflops: 40.2 }, { n: 4096, gflops: 9876.5 }] },
            wasm: { error: 'stopped at the time limit after 9 s' },
          },
        },
      }),
    ).toBe('doctor [ok, 12 s of 100]: loaded: webgpu 9877 GFLOP/s; not loaded: tensorflow (not installed), wasm (stopped at the time limit after 9 s); auto: backend: webgpu (NVIDIA H200)');
    expect(
      partLine({
        ...base,
        name: 'parity',
        result: { backends: { wasm: { mlp: { status: 'pass', lossDifference: 5.9e-7, sampleDifference: 1.6e-6 }, unet: { status: 'pass' } }, tensorflow: { mlp: { status: 'not loaded' }, unet: { status: 'not loaded' } } } },
      }),
    ).toBe('parity [ok, 12 s of 100]: wasm MLP pass (loss 5.9e-7, samples 1.6e-6), U-Net pass (loss ?); tensorflow not loaded');
    expect(
      partLine({ ...base, name: 'mnist', result: { train: { seconds: 40, summary: { steps: 300, steps_per_second: 9.5, train_seconds: 31.6 } }, sample: { seconds: 25, summary: { n: 1000, steps: 250, sampling_seconds: 22.1 } } } }),
    ).toBe('mnist [ok, 12 s of 100]: 9.50 steps/s (300 steps in 31.6 s); 1000 samples (250 steps) in 22.1 s');
    expect(
      partLine({ ...base, name: 'mnist', result: { train: { seconds: 90, error: 'stopped at the time limit after 90 s', progress: { step: 120, steps_per_s: 1.5 } }, sample: { error: 'not run: training did not finish' } } }),
    ).toBe('mnist [ok, 12 s of 100]: training: stopped at the time limit after 90 s (reached step 120 at 1.50 steps/s); sampling: not run: training did not finish');
  });
});

describe('gpu-check: the command', () => {
  it('--parts stack: one JSON report on stdout, gpu-check.json beside the logs; a second run into the folder is refused', () => {
    const out = path.join(tempDir('gpu-check-cli'), 'check');
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'gpu-check.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const r = run(['--parts', 'stack', '--budget-s', '30', '--out', out, '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as GpuCheckReport;
    expect(report.parts.map((p) => [p.name, p.status])).toEqual([['stack', 'ok']]);
    const stack = report.parts[0]!.result as unknown as GpuStack & { webgpu_missing: string[] };
    expect(stack.libraries).toHaveProperty('libvulkan.so.1');
    expect(Array.isArray(stack.webgpu_missing)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, REPORT_FILE), 'utf8'))).toEqual(report);
    expect(r.stderr).toContain('stack [ok, ');

    const again = run(['--parts', 'stack', '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr.trim()).toBe(`error: --out ${out}: already holds a GPU check (gpu-check.json, logs, parts); choose another --out (a new or empty folder), or move those files away`);
  }, 60_000);
});

describe('gpu-check: the stack line', () => {
  it('names the GPU, the capabilities, the ICD files and what webgpu is missing', () => {
    const s = completeStack();
    s.env.NVIDIA_DRIVER_CAPABILITIES = 'compute,utility';
    const line = partLine({ name: 'stack', title: '', seconds: 1, limit_seconds: 10, problems: [], status: 'ok', result: { ...s, webgpu_missing: ['libGLX_nvidia.so.0 (...)'] } });
    expect(line).toBe(
      "stack [ok, 1 s of 10]: NVIDIA H200 (driver 550.54); NVIDIA_DRIVER_CAPABILITIES 'compute,utility'; Vulkan ICD files: /usr/share/vulkan/icd.d/nvidia_icd.json; webgpu is missing: libGLX_nvidia.so.0 (...); no PyTorch",
    );
  });
});
