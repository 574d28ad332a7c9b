import { initBackend, type ActiveBackend, type BackendChoice } from '../platform/backend.js';
import { checkReplicaBackend } from '../config/replicas.js';

/**
 * The backend of a command that may split its steps over replicas: refused before loading when
 * the choice cannot host them, and again when auto picked one that cannot. Each replica is one
 * thread, so the wasm pool stays at 1 with replicas unless --threads asks for more.
 */
export async function initReplicaBackend(choice: BackendChoice, replicas: number, threads: number | undefined): Promise<ActiveBackend> {
  checkReplicaBackend(replicas, choice);
  const backend = await initBackend(choice, { threads: threads ?? (replicas > 1 ? 1 : undefined) });
  checkReplicaBackend(replicas, backend.name, choice === 'auto');
  return backend;
}
