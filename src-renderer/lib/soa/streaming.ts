/**
 * Long main-process operations (sync cycles, sign-in) stream progress events tagged with a
 * caller-chosen operation id; an AbortSignal maps to `app.cancel`.
 */
import type { IpcResult, OpInput, OpOutput, OpProgress, StreamingOperationName } from '@contract';
import type { Ipc } from './ports';

export interface StreamOptions<N extends StreamingOperationName> {
  operationId: string;
  onProgress?: (p: OpProgress<N>) => void;
  signal?: AbortSignal;
}

export async function runStreaming<N extends StreamingOperationName>(
  ipc: Ipc,
  name: N,
  input: Omit<OpInput<N>, 'operationId'>,
  options: StreamOptions<N>,
): Promise<IpcResult<OpOutput<N>>> {
  const { operationId, onProgress, signal } = options;
  const dispose = ipc.onProgress((event) => {
    if (event.operationId === operationId && onProgress) onProgress(event.data as OpProgress<N>);
  });
  const onAbort = (): void => {
    void ipc.call('app.cancel', { operationId });
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) return { ok: false, error: { code: 'cancelled', message: 'Cancelled.' } };
    return await ipc.call(name, { ...input, operationId } as OpInput<N>);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    dispose();
  }
}
