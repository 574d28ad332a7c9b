import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PACK_DEFAULTS } from '../config/pack-defaults.js';
import { UsageError } from '../errors.js';
import { checkOutPlace } from '../io/out-place.js';
import { writeTarXz } from '../pack/archive.js';
import { checkNodeBinary, chooseVulkanLoader } from '../pack/binaries.js';
import { LINUX_X64 } from '../pack/manifest.js';
import { stagePack } from '../pack/stage.js';
import { printJsonSummary } from './json-summary.js';
import type { PackCommandRequest } from './pack-request.js';
import { progressBar } from './progress.js';

const MIB = 1024 * 1024;

const ROOT_NAME = 'score-sde-device';

/** `npm run pack-device`: stage, archive, check the size. */
export async function packCommand(f: PackCommandRequest, projectRoot: string): Promise<number> {
  const out = f.out ?? PACK_DEFAULTS.out;
  if (!out.endsWith('.tar.xz')) throw new UsageError(`--out ${out}: the pack is a .tar.xz archive; accepted: a path ending in .tar.xz`);
  // Before the minutes of staging and compressing: an existing file is never replaced, and a folder that cannot hold it is refused now.
  if (fs.existsSync(out)) throw new UsageError(`--out ${out}: already exists; give a new path (an existing pack is not overwritten)`);
  checkOutPlace(out, '--out');
  const maxMib = f.maxMib ?? PACK_DEFAULTS.maxMib;
  const nodeBinary = f.node ?? process.execPath;
  const nodeVersion = checkNodeBinary(nodeBinary, f.node !== undefined);
  const loader = chooseVulkanLoader(f.vulkanLoader);
  const stageParent = fs.mkdtempSync(path.join(os.tmpdir(), 'score-sde-pack-'));
  try {
    console.log(`node ${nodeVersion} (${nodeBinary}); Vulkan loader: ${loader.origin}`);
    const summary = stagePack(
      {
        projectRoot,
        stageDir: path.join(stageParent, ROOT_NAME),
        nodeBinary,
        vulkanLoader: loader.file,
        vulkanLoaderOrigin: loader.origin,
        platform: LINUX_X64,
      },
      nodeVersion,
    );
    console.log(
      `staged ${summary.files.toLocaleString('en-US')} files, ${(summary.bytes / MIB).toFixed(1)} MiB: ${summary.packages.length} packages` +
        (summary.missingOptional.length ? ` (optional, not installed here so not packed: ${summary.missingOptional.join(', ')})` : ''),
    );
    const totalMib = Math.ceil(summary.bytes / MIB);
    const bar = progressBar('xz', totalMib, 'MiB');
    let bytes: number;
    try {
      bytes = await writeTarXz(stageParent, ROOT_NAME, out, (seen) => bar.update(Math.min(totalMib, Math.floor(seen / MIB))));
      bar.update(totalMib);
    } finally {
      bar.stop();
    }
    const mib = bytes / MIB;
    if (mib > maxMib) {
      fs.rmSync(out, { force: true });
      throw new UsageError(`--max-mib ${maxMib}: the pack came to ${mib.toFixed(1)} MiB, over the limit; nothing was kept`);
    }
    console.log(`wrote ${out}: ${mib.toFixed(1)} MiB (${bytes.toLocaleString('en-US')} bytes; limit ${maxMib} MiB)`);
    console.log(`on the GPU machine:  tar -xJf ${path.basename(out)} && cd ${ROOT_NAME} && ./run.sh gpu-check`);
    if (f.json) {
      printJsonSummary({
        archive: out,
        bytes,
        mib,
        files: summary.files,
        node: nodeVersion,
        vulkan_loader: loader.origin,
        packages: summary.packages.length,
        optional_not_packed: summary.missingOptional,
        commands: summary.commands,
      });
    }
    return 0;
  } finally {
    fs.rmSync(stageParent, { recursive: true, force: true });
    if (loader.cleanup) fs.rmSync(loader.cleanup, { recursive: true, force: true });
  }
}
