import { VULKAN_LOADER, vulkanDriversFound, vulkanLoaderFound } from './vulkan-loader.js';

/**
 * Finding a WebGPU adapter through Dawn's Node binding (the `webgpu` package).
 * Types are local on purpose: the package is optional, and the WebGPU type
 * definitions it and tfjs-backend-webgpu bring are of different versions.
 */

export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface AdapterLike {
  readonly info: AdapterInfoLike;
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: string; featureLevel?: string }): Promise<AdapterLike | null>;
}

export interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export interface FoundAdapter {
  gpu: GpuLike;
  adapter: AdapterLike;
  /** The native API Dawn drives: Vulkan, Metal, D3D12 or OpenGL ES. */
  api: string;
  /** 'compatibility' for the OpenGL ES fallback (WebGPU's compatibility mode). */
  featureLevel: 'core' | 'compatibility';
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader, WARP) rather than a GPU. */
  software: boolean;
  /** What the adapter calls itself. */
  name: string;
}

export type AdapterSearch = { found: FoundAdapter } | { found: null; reason: string };

/** The API Dawn uses by default on each platform. */
function nativeApi(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Metal';
  if (platform === 'win32') return 'D3D12';
  return 'Vulkan';
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  if (info.isFallbackAdapter === true) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((field) => SOFTWARE.test(field ?? ''));
}

export function adapterName(info: AdapterInfoLike): string {
  const parts = [info.description, info.device, info.vendor].map((p) => (p ?? '').trim()).filter(Boolean);
  return [...new Set(parts)].slice(0, 2).join(', ') || 'unnamed adapter';
}

function described(gpu: GpuLike, adapter: AdapterLike, api: string, featureLevel: FoundAdapter['featureLevel']): FoundAdapter {
  return { gpu, adapter, api, featureLevel, software: isSoftwareAdapter(adapter.info), name: adapterName(adapter.info) };
}

export interface AdapterSearchOptions {
  /**
   * Also accept what only an explicit `--backend webgpu` should run on: a
   * software adapter, and Dawn's OpenGL ES backend in compatibility mode
   * (Linux; through EGL, headless with Mesa's surfaceless platform).
   */
  acceptFallbacks: boolean;
  platform?: NodeJS.Platform;
}

/**
 * Why no search is worth starting (so nothing is loaded): on Linux without a
 * Vulkan loader, when only the native API would be accepted.
 */
export function searchPointless(options: AdapterSearchOptions): string | null {
  const platform = options.platform ?? process.platform;
  return platform === 'linux' && !options.acceptFallbacks ? missingVulkan() : null;
}

/** What keeps Dawn from Vulkan on Linux, checked without loading anything: no loader, or no driver for it. */
function missingVulkan(): string | null {
  if (!vulkanLoaderFound()) return `no Vulkan loader (${VULKAN_LOADER}) on this machine`;
  if (!vulkanDriversFound()) return 'no Vulkan driver on this machine (no ICD file in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d)';
  return null;
}

/**
 * The best adapter: the platform's native API first (on Linux only where a
 * Vulkan loader and a driver exist, so machines without them are not greeted
 * by Dawn's warnings), then, with acceptFallbacks, OpenGL ES.
 */
export async function findAdapter(dawn: DawnModule, options: AdapterSearchOptions): Promise<AdapterSearch> {
  const platform = options.platform ?? process.platform;
  const api = nativeApi(platform);
  const problems: string[] = [];
  let softwareOnly: FoundAdapter | null = null;
  const missing = platform === 'linux' ? missingVulkan() : null;
  if (missing !== null) {
    problems.push(missing);
  } else {
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) {
      problems.push(`Dawn found no ${api} adapter that meets WebGPU's requirements`);
    } else {
      const found = described(gpu, adapter, api, 'core');
      if (!found.software || options.acceptFallbacks) return { found };
      softwareOnly = found;
    }
  }
  if (softwareOnly !== null) {
    return { found: null, reason: `only a software adapter was found (${softwareOnly.name}, ${api}), which is slower than wasm` };
  }
  if (options.acceptFallbacks && platform === 'linux') {
    // Mesa's EGL needs no display server on its surfaceless platform.
    process.env['EGL_PLATFORM'] ??= 'surfaceless';
    const gpu = dawn.create(['backend=opengles']);
    const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility', powerPreference: 'high-performance' });
    if (adapter !== null) return { found: described(gpu, adapter, 'OpenGL ES', 'compatibility') };
    problems.push('no OpenGL ES adapter through EGL either');
  }
  return { found: null, reason: problems.join('; ') };
}
