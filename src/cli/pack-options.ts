import type { Options } from 'yargs';
import { z } from 'zod';
import { PACK_DEFAULTS } from '../config/pack-defaults.js';
import { flag, textOption } from './flags.js';

/** Every flag of `npm run pack-device`. */
export const PACK_FLAGS: Record<string, Options> = {
  out: textOption('archive to write (.tar.xz; an existing file is refused, not overwritten)', PACK_DEFAULTS.out),
  node: textOption('Node.js binary for Linux x86-64 to pack', 'the one running this'),
  'vulkan-loader': textOption('libvulkan.so.1 to pack, or none', "this machine's, else Debian's libvulkan1 (apt-get download)"),
  'max-mib': textOption('fail if the archive is larger (MiB)', String(PACK_DEFAULTS.maxMib)),
  json: { type: 'boolean', default: false, describe: 'print only a JSON summary on stdout (other text goes to stderr)' },
};

export const packFlagsSchema = z.object({
  out: z.string().optional(),
  node: z.string().optional(),
  vulkanLoader: z.string().optional(),
  maxMib: flag.positive().optional(),
  json: z.boolean(),
});

export type PackFlags = z.infer<typeof packFlagsSchema>;
