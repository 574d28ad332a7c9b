/**
 * A training replica: its own TensorFlow.js (wasm, one thread) and a copy of
 * the network. Each step it takes the weights and its rows of the batch from
 * shared memory and writes back its loss and gradients; it never updates
 * weights itself.
 */
import { workerData, parentPort } from 'node:worker_threads';
import { createBackbone } from '../../../models/index.js';
import { initBackend, type BackendName } from '../../platform/backend.js';
import { Rng } from '../../rng.js';
import type { ScoreNetwork } from '../../score-network.js';
import { COMMAND, slot, STATUS, viewBuffers, writeError, shardRows, type LayoutSpec, type SharedBuffers } from './layout.js';
import { shardLossAndGradients, writeParams } from './shard.js';
import type { ReplicaNetworkSpec } from './pool.js';

interface ReplicaData {
  index: number;
  backend: BackendName;
  network: ReplicaNetworkSpec;
  spec: LayoutSpec;
  buffers: SharedBuffers;
}

const data = workerData as ReplicaData;
const views = viewBuffers(data.buffers, data.spec);
const { command, done, status } = slot(data.index);

await initBackend(data.backend, { threads: 1 });
const backbone = createBackbone(data.network.backbone, Rng.fromSeed(0));
const net: ScoreNetwork = { backbone, parameterisation: data.network.parameterisation, dataStd: data.network.dataStd };
const vars = backbone.params.map((p) => p.variable);
const grads = views.grads(data.index);
// The shards count the training process's own as shard 0.
const { start, end } = shardRows(data.spec.batchSize, data.spec.workers, data.index);
parentPort!.postMessage('ready');

for (;;) {
  Atomics.wait(views.control, command, COMMAND.idle);
  const cmd = Atomics.load(views.control, command);
  if (cmd === COMMAND.quit) break;
  try {
    writeParams(vars, views.params);
    views.losses[data.index] = shardLossAndGradients(net, views, data.spec.dim, start, end, grads, data.spec.weighted);
    Atomics.store(views.control, status, STATUS.ok);
  } catch (err) {
    writeError(views.error, `replica ${data.index}: ${err instanceof Error ? err.message : String(err)}`);
    Atomics.store(views.control, status, STATUS.failed);
  }
  Atomics.store(views.control, command, COMMAND.idle);
  Atomics.store(views.control, done, 1);
  Atomics.notify(views.control, done);
}
backbone.dispose();
