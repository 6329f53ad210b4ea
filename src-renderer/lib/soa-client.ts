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

/**
 * Reads the bridge's Server-Sent Events over fetch, so the stream, like every RPC, carries the token
 * in the `x-soa-token` header (EventSource cannot send headers, and the cookie opens only static files).
 * Reconnects after a drop while anyone listens.
 */
function eventStream(origin: string, token: string, onEvent: (event: ProgressEvent) => void): () => void {
  const controller = new AbortController();
  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`${origin}/events`, {
          headers: { 'x-soa-token': token },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) return; // a wrong token: the RPCs say what to do
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame
              .split('\n')
              .filter((line) => line.startsWith('data: '))
              .map((line) => line.slice('data: '.length))
              .join('\n');
            if (frame.split('\n').includes('event: progress') && data) onEvent(JSON.parse(data) as ProgressEvent);
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void run();
  return () => controller.abort();
}

/** Browser mode: same-origin fetch with the session token, which the page keeps only in memory. */
export function browserClient(token: string, origin = ''): SoaClient {
  const listeners = new Set<(event: ProgressEvent) => void>();
  let stop: (() => void) | undefined;
  const ensureStream = () => {
    stop ??= eventStream(origin, token, (event) => {
      for (const l of listeners) l(event);
    });
  };
  return makeClient(
    'browser',
    async (name, input) => {
      let response: Response;
      try {
        response = await fetch(`${origin}/rpc/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-soa-token': token },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        return {
          ok: false,
          error: {
            code: 'unavailable',
            message: 'The soa-pilot service is not reachable. Is `npm run demo` still running?',
          },
        };
      }
      try {
        return (await response.json()) as IpcResult<unknown>;
      } catch {
        return {
          ok: false,
          error: { code: 'internal', message: `The service answered HTTP ${response.status} without a result.` },
        };
      }
    },
    (listener) => {
      listeners.add(listener);
      ensureStream();
      return () => listeners.delete(listener);
    },
  );
}
