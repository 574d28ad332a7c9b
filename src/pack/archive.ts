import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * tar | xz of the staged directory into one file. xz (not gzip) because the
 * Node.js binary alone is 36 MB gzipped and 24 MB as xz, and the pack must
 * stay under 64 MiB. Entries are sorted, owned by 0:0 and dated 2000-01-01,
 * so the same inputs give the same archive.
 */

export interface ArchiveProgress {
  (bytesIn: number): void;
}

function requireTool(name: string): void {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is needed to build the pack and was not found (Debian: apt-get install ${name === 'xz' ? 'xz-utils' : name})`);
}

/** Writes `stageParent/rootName` as `out` (through a temporary file renamed at the end). Returns the archive's size. */
export async function writeTarXz(stageParent: string, rootName: string, out: string, onProgress?: ArchiveProgress): Promise<number> {
  requireTool('tar');
  requireTool('xz');
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  const tar = spawn(
    'tar',
    ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=2000-01-01 00:00Z', '-C', stageParent, '-cf', '-', rootName],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Two threads: the machines this runs on are small and shared; -6 is xz's default level.
  const xz = spawn('xz', ['-6', '-T2', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let tarErr = '';
  let xzErr = '';
  tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
  xz.stderr.on('data', (d: Buffer) => (xzErr += d.toString()));
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      onProgress?.(seen);
      done(null, chunk);
    },
  });
  const exited = (child: ReturnType<typeof spawn>) => new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const tarExit = exited(tar);
  const xzExit = exited(xz);
  try {
    await Promise.all([pipeline(tar.stdout, counter, xz.stdin), pipeline(xz.stdout, fs.createWriteStream(partial))]);
    const [tarCode, xzCode] = await Promise.all([tarExit, xzExit]);
    if (tarCode !== 0) throw new Error(`tar failed (${tarCode}): ${tarErr.trim().split('\n')[0]}`);
    if (xzCode !== 0) throw new Error(`xz failed (${xzCode}): ${xzErr.trim().split('\n')[0]}`);
    fs.renameSync(partial, out);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return fs.statSync(out).size;
}
