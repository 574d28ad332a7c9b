import { describe, expect, it } from 'vitest';
import { adapterName, findAdapter, isSoftwareAdapter, type AdapterInfoLike, type DawnModule } from '../src/platform/webgpu/adapter.js';

/** A stand-in for Dawn's binding: one adapter (or none) per create() flag set. */
function fakeDawn(adapters: Record<string, AdapterInfoLike | null>): DawnModule & { created: string[][] } {
  const created: string[][] = [];
  return {
    created,
    globals: {},
    create(flags) {
      created.push(flags);
      const info = adapters[flags.join(',')] ?? null;
      return {
        requestAdapter: async () =>
          info === null ? null : { info, features: new Set<string>(), limits: {}, requestDevice: async () => ({}) },
      };
    },
  };
}

const H200: AdapterInfoLike = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' };
const LAVAPIPE: AdapterInfoLike = { vendor: 'mesa', architecture: 'software', device: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)' };

describe('webgpu adapter choice', () => {
  it('tells software rasterisers from GPUs', () => {
    expect(isSoftwareAdapter(H200)).toBe(false);
    expect(isSoftwareAdapter(LAVAPIPE)).toBe(true);
    expect(isSoftwareAdapter({ description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'AMD Radeon', isFallbackAdapter: true })).toBe(true);
    expect(adapterName({ description: 'OpenGL version OpenGL ES 3.2 Mesa', device: 'llvmpipe' })).toBe('OpenGL version OpenGL ES 3.2 Mesa, llvmpipe');
  });

  it('auto takes a GPU adapter', async () => {
    const search = await findAdapter(fakeDawn({ '': H200 }), { acceptFallbacks: false, platform: 'darwin' });
    expect(search.found).toMatchObject({ api: 'Metal', featureLevel: 'core', software: false, name: 'NVIDIA H200, nvidia' });
  });

  it('auto passes over a software adapter with the reason; an explicit choice takes it', async () => {
    const auto = await findAdapter(fakeDawn({ '': LAVAPIPE }), { acceptFallbacks: false, platform: 'win32' });
    expect(auto).toEqual({ found: null, reason: expect.stringMatching(/^only a software adapter was found \(llvmpipe .*, D3D12\), which is slower than wasm$/) });
    const explicit = await findAdapter(fakeDawn({ '': LAVAPIPE }), { acceptFallbacks: true, platform: 'win32' });
    expect(explicit.found).toMatchObject({ software: true, featureLevel: 'core' });
  });

  it('no adapter: the reason names the API', async () => {
    const search = await findAdapter(fakeDawn({}), { acceptFallbacks: true, platform: 'darwin' });
    expect(search).toEqual({ found: null, reason: "Dawn found no Metal adapter that meets WebGPU's requirements" });
  });
});
