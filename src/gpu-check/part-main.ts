import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GPU_CHECK_PARTS } from './parts.js';

/**
 * One part of the GPU check in a process of its own:
 * `part-main.ts NAME OUT_DIR DEADLINE_MS` writes OUT_DIR/parts/NAME.json,
 * the part's result or the error that stopped it.
 */

export function partResultFile(outDir: string, name: string): string {
  return path.join(outDir, 'parts', `${name}.json`);
}

async function main(name: string, outDir: string, deadline: number): Promise<number> {
  const part = GPU_CHECK_PARTS.find((p) => p.name === name);
  if (part === undefined) throw new Error(`no part '${name}'`);
  let record: Record<string, unknown>;
  let status = 0;
  try {
    record = { result: await part.run({ outDir, deadline }) };
  } catch (err) {
    record = { error: err instanceof Error ? err.message : String(err) };
    status = 1;
  }
  const file = partResultFile(outDir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, null, 1) + '\n');
  return status;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [name = '', outDir = '', deadline = ''] = process.argv.slice(2);
  process.exitCode = await main(name, outDir, Number(deadline));
}
