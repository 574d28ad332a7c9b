import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real single-node Slurm cluster for tests: munged, slurmctld and slurmd in the foreground as
 * children of the test, with their own key, config, state, spool, sockets and ports in a folder
 * of their own (no cgroups: proctrack/linuxproc, task/none; no accounting daemon). Needs Debian's
 * slurmctld, slurmd, slurm-client and munge packages, and root (SlurmUser=root).
 */

const SBIN = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const DAEMONS = ['munged', 'slurmctld', 'slurmd'] as const;
const CLIENTS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'munge'] as const;

function findProgram(name: string): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...SBIN];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/** Why the cluster cannot start here, or null when it can. */
export function slurmUnavailable(): string | null {
  const missing = [...DAEMONS, ...CLIENTS].filter((p) => findProgram(p) === null);
  if (missing.length > 0) return `Slurm is not installed (missing ${missing.join(', ')}; Debian: apt-get install slurmctld slurmd slurm-client munge)`;
  if (process.getuid?.() !== 0) return 'the test cluster runs its daemons as root (SlurmUser=root), and this is not root';
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SlurmCluster {
  dir: string;
  /** The test's environment with SLURM_CONF pointing at this cluster. */
  env: NodeJS.ProcessEnv;
  /** A Slurm client command against this cluster; its stdout. */
  run(program: (typeof CLIENTS)[number], args: string[]): string;
  /** Cancels every job, waits for the queue to drain, stops the daemons; safe to call twice. */
  stop(): Promise<void>;
}

export async function startSlurmCluster(dir: string): Promise<SlurmCluster> {
  const host = os.hostname().split('.')[0]!;
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const munge = path.join(dir, 'munge');
  fs.mkdirSync(munge, { mode: 0o700, recursive: true });
  for (const sub of ['state', 'spool']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const key = path.join(munge, 'munge.key');
  fs.writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = path.join(munge, 'munge.sock');
  const memoryMB = Math.floor((os.totalmem() / 2 ** 20) * 0.8);
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(
    conf,
    [
      'ClusterName=scoresdetest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'MpiDefault=none',
      'SwitchType=switch/none',
      'JobRequeue=1',
      // Polls often: the test waits on the scheduler.
      'SchedulerParameters=sched_interval=1',
      `NodeName=scoresde NodeHostname=${host} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} RealMemory=${memoryMB} State=UNKNOWN`,
      'PartitionName=test Nodes=scoresde Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const start = (name: (typeof DAEMONS)[number], args: string[]) => {
    const log = fs.openSync(path.join(dir, `${name}.out`), 'a');
    const child = spawn(findProgram(name)!, args, { env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    children.push(child);
    return child;
  };
  const run = (program: (typeof CLIENTS)[number], args: string[]) => execFileSync(findProgram(program)!, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Jobs first (their processes are the daemons' children), then the daemons, newest first.
    try {
      run('scancel', ['--full', `--user=${os.userInfo().username}`]);
      for (let k = 0; k < 60 && run('squeue', ['-h', '-o', '%i']).trim() !== ''; k++) await sleep(500);
    } catch {
      // The controller is already gone: nothing to cancel.
    }
    for (const child of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  };

  try {
    const log = (name: string) => path.join(munge, name);
    start('munged', ['-F', '-f', `--socket=${socket}`, `--key-file=${key}`, `--log-file=${log('munged.log')}`, `--pid-file=${log('munged.pid')}`, `--seed-file=${log('munged.seed')}`]);
    for (let k = 0; k < 50 && !fs.existsSync(socket); k++) await sleep(100);
    start('slurmctld', ['-D', '-c', '-f', conf]);
    start('slurmd', ['-D', '-N', 'scoresde', '-f', conf]);
    // Ready when the node is idle.
    let state = '';
    for (let k = 0; k < 60; k++) {
      try {
        state = run('sinfo', ['-h', '-N', '-o', '%T']).trim();
      } catch {
        state = 'no controller yet';
      }
      if (state === 'idle') break;
      await sleep(500);
    }
    if (state !== 'idle') throw new Error(`the test cluster did not come up (node state: ${state}); logs in ${dir}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, env, run, stop };
}

/** Waits until none of a job's elements is pending or running; their final states by array index. */
export async function waitForJob(cluster: SlurmCluster, jobId: string, timeoutMs: number): Promise<Map<number, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = jobStates(cluster, jobId);
    const active = [...states.values()].some((s) => ['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'SUSPENDED', 'RESIZING'].includes(s));
    if (!active && states.size > 0) return states;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still active after ${timeoutMs / 1000} s: ${JSON.stringify([...states])}`);
    await sleep(1000);
  }
}

/** Each array element's state (squeue lists finished ones too with -t all, until MinJobAge). */
export function jobStates(cluster: SlurmCluster, jobId: string): Map<number, string> {
  const out = cluster.run('squeue', ['-h', '-t', 'all', '-r', '-j', jobId, '-o', '%K %T']);
  const states = new Map<number, string>();
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [index, state] = line.trim().split(/\s+/);
    states.set(Number(index), state!);
  }
  return states;
}
