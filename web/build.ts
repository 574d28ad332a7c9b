/**
 * Builds the static page into a folder: index.html, style.css, page.js (the
 * browser entry src/public/page/main.ts bundled by esbuild for the browser
 * platform, so a Node-only import anywhere on the path fails the build) and
 * TensorFlow.js's .wasm files. Open index.html from disk and pick a bundle
 * folder (the wasm backend needs a server; from disk the page falls back to cpu),
 * or serve that folder with any static file server, with a bundle beside it:
 *   node --import tsx web/build.ts /tmp/site && cp -r BUNDLE /tmp/site/bundle
 *   python3 -m http.server -d /tmp/site   # then open http://localhost:8000/?bundle=bundle/
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(webDir, '..');
const STATIC_FILES = ['index.html', 'style.css'];

export async function buildWebPage(outDir: string): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(root, 'src/public/page/main.ts')],
    bundle: true,
    // A classic script: browsers refuse ES modules from file://, so the page also opens from disk.
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: path.join(outDir, 'page.js'),
    logLevel: 'error',
  });
  for (const file of STATIC_FILES) fs.copyFileSync(path.join(webDir, file), path.join(outDir, file));
  const wasmDir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const file of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(wasmDir, file), path.join(outDir, file));
  }
  return fs.readdirSync(outDir).sort();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node --import tsx web/build.ts OUT_DIR\n');
    process.exit(2);
  }
  const files = await buildWebPage(out);
  console.log(`built the page in ${out}: ${files.join(', ')}`);
}
