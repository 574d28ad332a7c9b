/** What `pack-device` takes: where the archive goes, what it packs, and the size it may reach. */
export interface PackCommandRequest {
  /** Archive to write, ending in .tar.xz (default: PACK_DEFAULTS.out). */
  out?: string;
  /** Node.js binary for Linux x86-64 (default: the one running this). */
  node?: string;
  /** libvulkan.so.1 to pack, or none (default: this machine's, else Debian's). */
  vulkanLoader?: string;
  /** Largest archive kept, in MiB (default: PACK_DEFAULTS.maxMib). */
  maxMib?: number;
  json: boolean;
}
