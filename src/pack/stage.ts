import * as fs from 'node:fs';
import * as path from 'node:path';
import { keepFile, listFiles, selectPackages, type LockFile, type PackageJson, type TargetPlatform } from './manifest.js';
import { runScript } from './run-sh.js';

/**
 * Lays out the pack in a staging directory:
 *
 *   run.sh            entry point (./run.sh train ..., ./run.sh bench ..., ./run.sh doctor)
 *   README.txt        how to run it
 *   MANIFEST.json     what is inside and where it came from
 *   bin/node          the Node.js binary
 *   lib/              libvulkan.so.1, used where the host has no Vulkan loader
 *   app/              the project's run-time sources and production node_modules
 */

/** The project's run-time sources (TypeScript, run through tsx). */
export const PROJECT_DIRS = ['src', 'models', 'datasets', 'scripts'] as const;
export const PROJECT_FILES = ['package.json', 'tsconfig.json', 'README.md'] as const;
/** Scripts that are not meant for the device. */
const HOST_ONLY_SCRIPTS = new Set(['pack-device']);

export interface StageInput {
  projectRoot: string;
  stageDir: string;
  nodeBinary: string;
  /** Path of libvulkan.so.1 to pack, or null to pack none. */
  vulkanLoader: string | null;
  vulkanLoaderOrigin: string;
  platform: TargetPlatform;
}

export interface StageSummary {
  files: number;
  bytes: number;
  packages: { name: string; version: string }[];
  missingOptional: string[];
  commands: string[];
}

function copy(from: string, to: string): number {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  const mode = fs.statSync(from).mode & 0o777;
  fs.chmodSync(to, mode);
  return fs.statSync(to).size;
}

function readmeText(commands: string[], nodeVersion: string): string {
  return `score-sde, packed for Linux x86-64 (Node.js ${nodeVersion} included; nothing to install).

  ./run.sh gpu-check                       everything below in one go, eight minutes at most: the GPU stack, which
                                           backends load, parity with cpu, bench on webgpu and wasm, the default run
                                           and the MNIST U-Net on webgpu; results in checkpoints/gpu-check-<time>/gpu-check.json
  ./run.sh doctor                          the host's GPU stack, then which backend loads, a matMul check and its speed
  ./run.sh bench --backend auto            timings of training steps, the sampler and the metrics
  ./run.sh train --backend auto --steps 4000 --out runs/grid9-vp
  ./run.sh sample --run runs/grid9-vp
  ./run.sh help                            every command (${commands.join(', ')})

--backend auto prefers tensorflow (not packed: tfjs-node-gpu needs libtensorflow), then webgpu on a
GPU adapter (Dawn over Vulkan), then wasm, then cpu, and prints why it passed over each; --backend
webgpu fails with the reason when no adapter is found. Outputs are written relative to the current
directory. The GPU path needs the NVIDIA driver's Vulkan support: libGLX_nvidia.so.0 (in containers:
NVIDIA_DRIVER_CAPABILITIES must include graphics, e.g. "all"); run.sh supplies the Vulkan loader
(lib/libvulkan.so.1) when the host has none, and an ICD file when the driver library has no
nvidia_icd.json beside it. MANIFEST.json lists every package inside.
`;
}

/** Copies everything into `stageDir` (which must be empty) and writes the generated files. */
export function stagePack(input: StageInput, nodeVersion: string): StageSummary {
  const root = input.projectRoot;
  const app = path.join(input.stageDir, 'app');
  let files = 0;
  let bytes = 0;
  const add = (from: string, to: string) => {
    bytes += copy(from, to);
    files += 1;
  };

  for (const dir of PROJECT_DIRS) {
    for (const rel of listFiles(path.join(root, dir))) {
      if (dir === 'scripts' && HOST_ONLY_SCRIPTS.has(path.basename(rel, '.ts'))) continue;
      add(path.join(root, dir, rel), path.join(app, dir, rel));
    }
  }
  for (const file of PROJECT_FILES) add(path.join(root, file), path.join(app, file));

  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as LockFile;
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
  const declaredOptional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
  const { packages } = selectPackages(lock, input.platform);
  const packed: StageSummary['packages'] = [];
  const missingOptional: string[] = [];
  for (const p of packages) {
    const dir = path.join(root, p.dir);
    if (!fs.existsSync(path.join(dir, 'package.json'))) {
      // An optional dependency whose install failed here (e.g. tfjs-node-gpu without its download).
      if (p.optional) {
        // Reported by the project's own optional dependencies (theirs went missing with them).
        if (declaredOptional.has(p.name) && p.dir === `node_modules/${p.name}`) missingOptional.push(p.name);
        continue;
      }
      throw new Error(`${p.dir}: a production dependency is not installed; run npm ci first`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
    for (const rel of listFiles(dir)) {
      if (keepFile(p.name, pkg, rel, input.platform)) add(path.join(dir, rel), path.join(app, p.dir, rel));
    }
    packed.push({ name: p.name, version: p.version });
  }

  add(input.nodeBinary, path.join(input.stageDir, 'bin', 'node'));
  if (input.vulkanLoader !== null) add(input.vulkanLoader, path.join(input.stageDir, 'lib', 'libvulkan.so.1'));

  const commands = listFiles(path.join(root, 'scripts'))
    .map((f) => path.basename(f, '.ts'))
    .filter((name) => !HOST_ONLY_SCRIPTS.has(name));
  const write = (rel: string, text: string, mode = 0o644) => {
    const file = path.join(input.stageDir, rel);
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
    bytes += Buffer.byteLength(text);
    files += 1;
  };
  write('run.sh', runScript(commands), 0o755);
  write('README.txt', readmeText(commands, nodeVersion));
  write(
    'MANIFEST.json',
    JSON.stringify(
      {
        format: 'score-sde-device-pack',
        platform: input.platform,
        node: nodeVersion,
        vulkanLoader: input.vulkanLoader === null ? null : input.vulkanLoaderOrigin,
        commands,
        packages: packed,
        optionalNotInstalled: missingOptional,
        files: files + 1,
      },
      null,
      1,
    ) + '\n',
  );
  return { files, bytes, packages: packed, missingOptional, commands };
}
