/**
 * The renderer's typed client over the contract. In Electron it uses `window.soa` (the preload's
 * named functions); in browser mode it speaks the bridge's `POST /rpc/<operation>` + `/events`
 * protocol with the per-launch token. Components never see the difference.
 */
import type { IpcResult, ProgressEvent, SoaApi } from '@contract';
import { electronClient, makeClient, type SoaClient } from './soa-client';

export * from './soa-client';

declare global {
  interface Window {
    soa?: SoaApi;
  }
}

/** Browser mode: same-origin fetch with the session token kept in memory (taken once from the URL). */
export function browserClient(token: string, origin = ''): SoaClient {
  const listeners = new Set<(event: ProgressEvent) => void>();
  let source: EventSource | undefined;
  const ensureStream = () => {
    if (source) return;
    source = new EventSource(`${origin}/events`);
    source.addEventListener('progress', (e) => {
      const event = JSON.parse((e as MessageEvent<string>).data) as ProgressEvent;
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

const TOKEN_KEY = 'soa-pilot.session';

/** Picks the transport: the preload's API when present, else the browser bridge. */
export function connect(): SoaClient {
  if (window.soa) return electronClient(window.soa);
  // The bridge sets an HttpOnly cookie for assets and the event stream, and hands the page the token
  // in the URL fragment for the RPC header. It is kept in sessionStorage (per tab) so a reload works,
  // and removed from the address bar at once.
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return browserClient(sessionStorage.getItem(TOKEN_KEY) ?? '');
}
