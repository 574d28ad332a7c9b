import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Vulkan loader Dawn opens on Linux (Debian: libvulkan1). */
export const VULKAN_LOADER = 'libvulkan.so.1';

const STANDARD_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib'];

/**
 * Whether the dynamic loader can find libvulkan.so.1: in LD_LIBRARY_PATH, in
 * ld.so's cache, or in a standard directory. Checked before asking Dawn for a
 * Vulkan adapter, which would otherwise print a warning of its own where
 * there is none (machines without any GPU stack).
 */
export function vulkanLoaderFound(env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = [...(env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean), ...STANDARD_DIRS];
  if (dirs.some((dir) => fs.existsSync(path.join(dir, VULKAN_LOADER)))) return true;
  try {
    return fs.readFileSync('/etc/ld.so.cache').includes(VULKAN_LOADER);
  } catch {
    return false;
  }
}

/**
 * Whether the Vulkan loader would find any driver: an ICD manifest named by
 * VK_DRIVER_FILES / VK_ICD_FILENAMES, or one in the directories the loader
 * searches (XDG config and data directories, /etc, /usr/share). NVIDIA's
 * driver installs nvidia_icd.json; Mesa installs one per driver.
 */
export function vulkanDriversFound(env: NodeJS.ProcessEnv = process.env): boolean {
  const named = [env['VK_DRIVER_FILES'], env['VK_ICD_FILENAMES'], env['VK_ADD_DRIVER_FILES']]
    .flatMap((list) => (list ?? '').split(':'))
    .filter(Boolean);
  if (named.length > 0) return named.some((file) => fs.existsSync(file));
  const config = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':');
  const data = (env['XDG_DATA_DIRS'] || '/usr/local/share:/usr/share').split(':');
  const home = env['HOME'] ? [path.join(env['HOME'], '.local/share')] : [];
  const dirs = [...config, '/etc', ...data, ...home].map((d) => path.join(d, 'vulkan', 'icd.d'));
  return dirs.some((dir) => {
    try {
      return fs.readdirSync(dir).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}
