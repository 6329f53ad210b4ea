/**
 * The typed client over the contract, without any DOM dependency (so flows and Node tests can use
 * it). `bridge.ts` adds the two transports' discovery: `window.soa` (Electron preload) or the
 * browser-mode bridge.
 */
import {
  methodName,
  type IpcError,
  type IpcResult,
  type OperationName,
  type OpInput,
  type OpOutput,
  type ProgressEvent,
  type SoaApi,
} from '@contract';

export type { IpcError, IpcResult, OperationName, OpInput, OpOutput, ProgressEvent };

export class BridgeError extends Error {
  constructor(readonly error: IpcError) {
    super(error.message);
    this.name = 'BridgeError';
  }
  get code(): IpcError['code'] {
    return this.error.code;
  }
}

export interface SoaClient {
  readonly transport: 'electron' | 'browser';
  call<N extends OperationName>(name: N, input: OpInput<N>): Promise<IpcResult<OpOutput<N>>>;
  /** Like `call`, but throws BridgeError on `{ ok:false }`. */
  invoke<N extends OperationName>(name: N, input: OpInput<N>): Promise<OpOutput<N>>;
  onProgress(listener: (event: ProgressEvent) => void): () => void;
}

export type RawCall = (name: OperationName, input: unknown) => Promise<IpcResult<unknown>>;

export function makeClient(
  transport: SoaClient['transport'],
  raw: RawCall,
  subscribe: SoaClient['onProgress'],
): SoaClient {
  const call = (async (name: OperationName, input: unknown) => raw(name, input)) as SoaClient['call'];
  return {
    transport,
    call,
    invoke: (async (name: OperationName, input: unknown) => {
      const result = await raw(name, input);
      if (!result.ok) throw new BridgeError(result.error);
      return result.value;
    }) as SoaClient['invoke'],
    onProgress: subscribe,
  };
}

export function electronClient(api: SoaApi): SoaClient {
  const table = api as unknown as Record<string, (input: unknown) => Promise<IpcResult<unknown>>>;
  return makeClient(
    'electron',
    (name, input) => {
      const fn = table[methodName(name)];
      if (!fn)
        return Promise.resolve({ ok: false, error: { code: 'unavailable', message: `${name} is not exposed.` } });
      return fn(input);
    },
    (listener) => api.onProgress(listener),
  );
}
