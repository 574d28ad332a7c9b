import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../errors.js';
import { VULKAN_LOADER } from '../platform/webgpu/vulkan-loader.js';

/** ELF machine number of x86-64. */
const EM_X86_64 = 62;

/** Why `file` is not a 64-bit x86-64 ELF file, or null if it is one. */
export function notLinuxX64Elf(file: string): string | null {
  const header = Buffer.alloc(20);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 20, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file (Linux executables and libraries are)';
  if (header[4] !== 2) return 'a 32-bit ELF file';
  if (header.readUInt16LE(18) !== EM_X86_64) return `an ELF file for machine ${header.readUInt16LE(18)}, not x86-64`;
  return null;
}

/** The packed Node.js: `--node`, or the one running this. Returns its version. */
export function checkNodeBinary(file: string, flagGiven: boolean): string {
  const where = flagGiven ? `--node ${file}` : `this Node.js (${file})`;
  if (!fs.existsSync(file)) throw new UsageError(`${where}: no such file`);
  const problem = notLinuxX64Elf(file);
  if (problem !== null) throw new UsageError(`${where}: ${problem}; the pack needs a Node.js binary for Linux x86-64 (give one with --node)`);
  const r = spawnSync(file, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new UsageError(`${where}: does not run here (${(r.stderr || String(r.error)).trim().split('\n')[0]})`);
  return r.stdout.trim();
}

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/lib'];

export interface VulkanLoaderChoice {
  file: string | null;
  origin: string;
  /** A temporary directory to remove afterwards. */
  cleanup?: string;
}

/** Debian's libvulkan1, fetched with apt-get (it needs the package index, not root). */
function fetchFromDebian(): VulkanLoaderChoice | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-sde-libvulkan-'));
  const download = spawnSync('apt-get', ['download', 'libvulkan1'], { cwd: dir, encoding: 'utf8' });
  const deb = fs.readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (download.status !== 0 || deb === undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const root = path.join(dir, 'root');
  const extract = spawnSync('dpkg-deb', ['-x', path.join(dir, deb), root], { encoding: 'utf8' });
  const file = path.join(root, 'usr/lib/x86_64-linux-gnu', VULKAN_LOADER);
  if (extract.status !== 0 || !fs.existsSync(file)) {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return { file: fs.realpathSync(file), origin: `Debian package ${deb.replace(/\.deb$/, '')}`, cleanup: dir };
}

/**
 * The Vulkan loader to pack: `--vulkan-loader FILE`, `none`, or (default)
 * this machine's libvulkan.so.1, else Debian's libvulkan1 fetched with
 * apt-get. NVIDIA's driver provides the Vulkan driver but not this loader,
 * which GPU servers and CUDA containers often lack.
 */
export function chooseVulkanLoader(flag: string | undefined): VulkanLoaderChoice {
  if (flag === 'none') return { file: null, origin: 'none (--vulkan-loader none)' };
  if (flag !== undefined) {
    if (!fs.existsSync(flag)) throw new UsageError(`--vulkan-loader ${flag}: no such file; accepted: a libvulkan.so.1 for Linux x86-64, or none`);
    const problem = notLinuxX64Elf(flag);
    if (problem !== null) throw new UsageError(`--vulkan-loader ${flag}: ${problem}; accepted: a libvulkan.so.1 for Linux x86-64, or none`);
    return { file: fs.realpathSync(flag), origin: `--vulkan-loader ${flag}` };
  }
  for (const dir of LIB_DIRS) {
    const file = path.join(dir, VULKAN_LOADER);
    if (fs.existsSync(file) && notLinuxX64Elf(file) === null) return { file: fs.realpathSync(file), origin: `this machine's ${file}` };
  }
  const fetched = fetchFromDebian();
  if (fetched !== null) return fetched;
  throw new UsageError(
    `--vulkan-loader: this machine has no ${VULKAN_LOADER} to pack and apt-get download libvulkan1 failed; ` +
      'accepted: a libvulkan.so.1 file (Debian/Ubuntu package libvulkan1), or none (the GPU host must then have it)',
  );
}
