/**
 * Sandboxed preload (bundled as CommonJS). Exposes `window.soa`: one named function per contract
 * operation, each bound to its own channel, plus a disposable progress subscription. There is no
 * generic invoke/send: the renderer can reach exactly the operations the contract declares.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_PREFIX, EVENT_CHANNEL, methodName, operationNames, type ProgressEvent } from './ipc/contract';

export function buildApi(invoke: (channel: string, input: unknown) => Promise<unknown>) {
  const api: Record<string, unknown> = {};
  for (const name of operationNames) {
    const channel = CHANNEL_PREFIX + name;
    const fn = (input: unknown) => invoke(channel, input);
    Object.defineProperty(fn, 'name', { value: methodName(name) });
    api[methodName(name)] = fn;
  }
  api.onProgress = (listener: (event: ProgressEvent) => void) => {
    const wrapped = (_e: IpcRendererEvent, event: ProgressEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  };
  return Object.freeze(api);
}

contextBridge.exposeInMainWorld(
  'soa',
  buildApi((channel, input) => ipcRenderer.invoke(channel, input)),
);
