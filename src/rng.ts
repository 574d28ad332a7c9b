import {
  xoroshiro128plus,
  xoroshiro128plusFromState,
} from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** Serialisable state of an Rng: enough to continue the exact same stream. */
export interface RngState {
  generator: number[];
  spareNormal: number | null;
}

/** Murmur3's 32-bit finaliser: mixes keys into well-spread seeds. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Seeded random numbers for everything the project draws in JavaScript.
 * `Rng.derive(seed, ...keys)` gives an independent stream per (seed, keys), so
 * randomness can be keyed by training step and a resumed run draws exactly what
 * an uninterrupted one would.
 */
export class Rng {
  private spare: number | null;

  private constructor(
    private readonly gen: JumpableRandomGenerator,
    spare: number | null = null,
  ) {
    this.spare = spare;
  }

  static fromSeed(seed: number): Rng {
    return new Rng(xoroshiro128plus(mix32(seed | 0)));
  }

  static derive(seed: number, ...keys: number[]): Rng {
    let h = mix32(seed | 0);
    for (const k of keys) h = mix32(h ^ mix32((k | 0) + 0x9e3779b9));
    return new Rng(xoroshiro128plus(h));
  }

  static fromState(state: RngState): Rng {
    return new Rng(xoroshiro128plusFromState(state.generator), state.spareNormal);
  }

  state(): RngState {
    return { generator: [...this.gen.getState()], spareNormal: this.spare };
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  normals(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  uniforms(n: number, lo = 0, hi = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }
}
