import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The GPU stack a host offers to the webgpu backend (Dawn over Vulkan) and
 * to CUDA, as facts read from the system, and what is missing for webgpu to
 * find an NVIDIA adapter, each item naming the file or variable.
 */

/** Where the Vulkan loader looks for ICD files (the driver manifests), in its order. */
export const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'] as const;

/** Libraries the GPU paths load. */
export const GPU_LIBRARIES = ['libvulkan.so.1', 'libGLX_nvidia.so.0', 'libnvidia-glcore.so', 'libcuda.so.1'] as const;
type GpuLibrary = (typeof GPU_LIBRARIES)[number];

export const STACK_ENV = ['NVIDIA_DRIVER_CAPABILITIES', 'NVIDIA_VISIBLE_DEVICES', 'VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'SCORE_SDE_VULKAN_LOADER', 'LD_LIBRARY_PATH'] as const;

export interface IcdFile {
  file: string;
  /** The driver library it names (null: unreadable or no ICD.library_path). */
  libraryPath: string | null;
  nvidia: boolean;
}

export interface GpuStack {
  host: string;
  /** nvidia-smi's view: found, and per GPU its name, driver and memory. */
  nvidiaSmi: { found: boolean; gpus: { name: string; driver: string; memoryMiB: number }[]; reason?: string };
  env: Partial<Record<(typeof STACK_ENV)[number], string>>;
  icdFiles: IcdFile[];
  /** Where each library was found (linker cache or LD_LIBRARY_PATH), or null. */
  libraries: Record<GpuLibrary, string | null>;
  /** /dev/nvidia* and /dev/dri/* present. */
  devices: string[];
  python: { python3: boolean; torch: string | null; cuda: boolean; reason?: string };
}

function run(command: string, args: string[]): { ok: boolean; stdout: string; error: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return { ok: false, stdout: '', error: r.error.message };
  return { ok: r.status === 0, stdout: r.stdout, error: r.stderr.trim().split('\n').at(-1) ?? '' };
}

/** `ldconfig -p`'s lines `name (flags) => path`, by name (the first of each). */
function linkerCache(): Map<string, string> {
  const cache = new Map<string, string>();
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const r = run(ldconfig, ['-p']);
    if (!r.ok) continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(\S+) \(.*\) => (.+)$/.exec(line);
      if (m && !cache.has(m[1]!)) cache.set(m[1]!, m[2]!.trim());
    }
    break;
  }
  return cache;
}

function findLibrary(name: string, cache: Map<string, string>, ldLibraryPath: string | undefined): string | null {
  for (const dir of (ldLibraryPath ?? '').split(':').filter(Boolean)) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  // Versioned names (libnvidia-glcore.so.550.54) are cached only under their full name.
  for (const [key, file] of cache) if (key.startsWith(`${name}.`)) return file;
  return null;
}

export function readIcdFile(file: string): IcdFile {
  let libraryPath: string | null = null;
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { ICD?: { library_path?: unknown } };
    if (typeof json.ICD?.library_path === 'string') libraryPath = json.ICD.library_path;
  } catch {
    libraryPath = null;
  }
  return { file, libraryPath, nvidia: /nvidia/i.test(path.basename(file)) || /nvidia/i.test(libraryPath ?? '') };
}

function icdFiles(env: GpuStack['env']): IcdFile[] {
  const listed = [env.VK_DRIVER_FILES, env.VK_ICD_FILENAMES].flatMap((v) => (v ?? '').split(':').filter(Boolean));
  const found = ICD_DIRS.flatMap((dir) => {
    try {
      return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
    } catch {
      return [];
    }
  });
  return [...new Set([...listed, ...found])].map(readIcdFile);
}

function nvidiaSmi(): GpuStack['nvidiaSmi'] {
  const r = run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader,nounits']);
  if (!r.ok) return { found: false, gpus: [], reason: r.error || 'nvidia-smi failed' };
  const gpus = r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', driver = '', memory = ''] = line.split(',').map((s) => s.trim());
      return { name, driver, memoryMiB: Number(memory) };
    });
  return { found: true, gpus };
}

function python(): GpuStack['python'] {
  const probe = run('python3', ['-c', 'import torch; print(torch.__version__, torch.cuda.is_available())']);
  if (probe.ok) {
    const [version = '', cuda = ''] = probe.stdout.trim().split(' ');
    return { python3: true, torch: version, cuda: cuda === 'True' };
  }
  const present = run('python3', ['--version']).ok;
  return { python3: present, torch: null, cuda: false, reason: present ? `torch: ${probe.error}` : 'python3 not found' };
}

function devices(): string[] {
  const list = (dir: string, keep: (f: string) => boolean) => {
    try {
      return fs.readdirSync(dir).filter(keep).sort().map((f) => path.join(dir, f));
    } catch {
      return [];
    }
  };
  return [...list('/dev', (f) => f.startsWith('nvidia')), ...list('/dev/dri', () => true)];
}

/** Reads the host's GPU stack. */
export function probeGpuStack(): GpuStack {
  const env: GpuStack['env'] = {};
  for (const key of STACK_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  const cache = linkerCache();
  const libraries = Object.fromEntries(GPU_LIBRARIES.map((name) => [name, findLibrary(name, cache, env.LD_LIBRARY_PATH)])) as GpuStack['libraries'];
  return {
    host: `${os.type()} ${os.release()} ${os.machine()}`,
    nvidiaSmi: nvidiaSmi(),
    env,
    icdFiles: icdFiles(env),
    libraries,
    devices: devices(),
    python: python(),
  };
}

/**
 * What keeps webgpu from an NVIDIA adapter on this host, one line each naming
 * the file or variable (empty: everything it needs is there).
 */
export function webgpuMissing(s: GpuStack): string[] {
  const missing: string[] = [];
  const caps = s.env.NVIDIA_DRIVER_CAPABILITIES;
  if (!s.nvidiaSmi.found && !s.devices.some((d) => /^\/dev\/nvidia\d+$/.test(d))) {
    missing.push('no NVIDIA GPU: nvidia-smi is not found and there is no /dev/nvidia0 (in a container: NVIDIA_VISIBLE_DEVICES and the NVIDIA container runtime)');
  }
  if (s.libraries['libvulkan.so.1'] === null) {
    missing.push('libvulkan.so.1 (the Vulkan loader): not in the linker cache nor on LD_LIBRARY_PATH (run.sh supplies the packed one; elsewhere install libvulkan1)');
  }
  if (s.libraries['libGLX_nvidia.so.0'] === null) {
    const why = caps !== undefined && !/(^|,)\s*(graphics|all)\s*(,|$)/.test(caps)
      ? `; NVIDIA_DRIVER_CAPABILITIES is '${caps}': it must include graphics (e.g. all) for the container runtime to mount it`
      : '; it comes with the NVIDIA driver (in a container: NVIDIA_DRIVER_CAPABILITIES must include graphics, e.g. all)';
    missing.push(`libGLX_nvidia.so.0 (NVIDIA's Vulkan driver): not in the linker cache nor on LD_LIBRARY_PATH${why}`);
  }
  const nvidiaIcds = s.icdFiles.filter((f) => f.nvidia);
  if (nvidiaIcds.length === 0) {
    missing.push(`no Vulkan ICD file names NVIDIA's driver: none in ${ICD_DIRS.join(', ')}, and VK_DRIVER_FILES is ${s.env.VK_DRIVER_FILES === undefined ? 'unset' : `'${s.env.VK_DRIVER_FILES}'`} (run.sh writes one when libGLX_nvidia.so.0 is found)`);
  } else if (nvidiaIcds.every((f) => f.libraryPath === null)) {
    missing.push(`the NVIDIA ICD file ${nvidiaIcds[0]!.file} names no ICD.library_path`);
  }
  return missing;
}
