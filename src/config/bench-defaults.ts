import { BENCH_CASES } from '../bench/cases.js';

/** Defaults of `npm run bench`: every case, on wasm, each case's own repeats, one replica. */
export const BENCH_DEFAULTS = { cases: BENCH_CASES.join(','), backend: 'wasm', repeatScale: 1, replicas: 1 } as const;
