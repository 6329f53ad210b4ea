/**
 * The server half of a wizard step: run a sync cycle, trace the object, and put the exact command
 * of each into the step's evidence.
 */
import type { StepEvidence } from './evidence';
import type { FlowPorts } from './ports';
import { runSyncCycle, traceObject, type SyncOutcome, type SyncProgress, type TraceOutcome } from './verify';

export interface CycleOptions {
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  waitIfBusy?: boolean;
}

/** Run a delta sync cycle for `step` and record its request. */
export async function runStepCycle(
  ports: FlowPorts,
  step: StepEvidence,
  options: CycleOptions = {},
): Promise<SyncOutcome> {
  const sync = await runSyncCycle(ports, {
    ...(options.waitIfBusy !== undefined ? { waitIfBusy: options.waitIfBusy } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  step.requests.push(sync.request);
  return sync;
}

/** Trace `dn` on the server for `step` and record the command (`since`: the export-evidence window). */
export async function traceStepObject(
  ports: FlowPorts,
  step: StepEvidence,
  dn: string,
  since?: string,
): Promise<TraceOutcome> {
  const trace = await traceObject(ports, dn, since);
  step.requests.push(trace.request);
  return trace;
}
