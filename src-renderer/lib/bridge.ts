/**
 * The renderer's typed client over the contract. In Electron it uses `window.soa` (the preload's
 * named functions); in browser mode it speaks the bridge's `POST /rpc/<operation>` + `/events`
 * protocol with the per-launch token. Components never see the difference.
 */
import type { SoaApi } from '@contract';
import { browserClient, electronClient, type SoaClient } from './soa-client';

export * from './soa-client';

declare global {
  interface Window {
    soa?: SoaApi;
  }
}

/** Picks the transport: the preload's API when present, else the browser bridge. */
export function connect(): SoaClient {
  if (window.soa) return electronClient(window.soa);
  // The bridge hands the page the RPC token in the URL fragment (never sent to a server). The page
  // keeps it in this module's memory only, never in storage or a cookie, and removes it from the
  // address bar at once. A reload therefore needs the printed URL again; the bridge says so.
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  if (token) history.replaceState(null, '', window.location.pathname + window.location.search);
  return browserClient(token);
}
