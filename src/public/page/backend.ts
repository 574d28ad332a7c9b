import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export const PAGE_BACKENDS = ['wasm', 'webgl', 'cpu'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

/**
 * Selects the tfjs backend. The .wasm files sit beside page.js (web/build.ts
 * copies them); a backend that fails falls back to cpu, and the page says so.
 */
export async function initPageBackend(wanted: PageBackend): Promise<{ name: string; note: string }> {
  tf.env().set('PROD', true);
  if (wanted === 'wasm') setWasmPaths(new URL('./', document.baseURI).href);
  try {
    if (await tf.setBackend(wanted)) {
      await tf.ready();
      return { name: wanted, note: '' };
    }
  } catch {
    // Reported below as a fallback.
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: 'cpu', note: `the ${wanted} backend could not start; using cpu` };
}
