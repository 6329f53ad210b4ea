/**
 * The bulk view's ports, wired from the same pieces the wizard uses: the typed bridge client
 * (`SoaClient`), main's `auth.getAccessToken` as a `TokenSource` (`accessTokenFetchFromIpc`, so a missing
 * consent surfaces as a `TokenSourceError` with the missing scopes) behind a short-lived token cache, and the
 * app info's Graph root.
 */
import type { AppInfo } from '@contract';
import type { SoaClient } from '../lib/bridge';
import {
  accessTokenFetchFromIpc,
  cachedTokenSource,
  createGraphSession,
  listSoaAuditEventsInWindow,
  TokenSourceError,
} from '../lib/graph';
import type { GraphSession } from '../lib/graph/graph-client';
import { runStreaming } from '../lib/soa/streaming';
import {
  createSessionGraphBatchPort,
  createIpcJournalPort,
  findContactDnsWithDomains,
  readMany,
  OBJECT_TYPES,
  scopesFor,
  type AuditReadPort,
  type BulkObjectType,
  type BulkServerPort,
  type CloudSyncState,
  type GraphBatchPort,
  type JournalPort,
  type SweepObject,
} from '../lib/soa/bulk';

export interface BulkPorts {
  graph: GraphBatchPort;
  /** the Graph session under `graph` (Cloud Sync's configuration and provisioning log in the follow-up) */
  session: GraphSession;
  journal: JournalPort;
  server: BulkServerPort;
  /** the audit log, read in time windows (docs/reference/bulk-evidence-levels.md#audit-entries-in-bulk) */
  audit: AuditReadPort;
}

export interface SyncHooks {
  /** progress messages of the running sync cycle */
  onProgress?: (message: string) => void;
  /** aborting it cancels the cycle wait (`app.cancel`) */
  signal?: () => AbortSignal | undefined;
}

export function createBulkPorts(
  client: SoaClient,
  info: Pick<AppInfo, 'graphBaseUrl' | 'graphCustomHosts'>,
  sync: SyncHooks = {},
): BulkPorts {
  // A bulk run sends many batches a second: the token is kept here for up to a minute (and renewed 5 minutes
  // before it expires) instead of a bridge round trip before each batch. A 401 forces a refresh from main; a
  // sign-out or another admin's sign-in reaches the run within that minute (lib/graph/token-cache.ts).
  const tokenSource = cachedTokenSource(accessTokenFetchFromIpc((input) => client.call('auth.getAccessToken', input)));
  const session = createGraphSession({ baseUrl: info.graphBaseUrl, customHosts: info.graphCustomHosts, tokenSource });
  return {
    graph: createSessionGraphBatchPort(session),
    session,
    audit: { readWindow: (q) => listSoaAuditEventsInWindow(session, q) },
    journal: createIpcJournalPort(client),
    server: {
      async runSyncCycle(input) {
        const signal = sync.signal?.();
        const r = await runStreaming(client, 'server.runSyncCycle', input, {
          operationId: crypto.randomUUID(),
          onProgress: (p) => sync.onProgress?.(p.message),
          ...(signal ? { signal } : {}),
        });
        if (!r.ok) throw new Error(r.error.message);
        return r.value;
      },
      async events6956(input) {
        const r = await client.call('server.events6956', input);
        if (!r.ok) throw new Error(r.error.message);
        return r.value;
      },
      async traceObjects(input) {
        const r = await client.call('server.traceObjects', input);
        if (!r.ok) throw new Error(r.error.message);
        return r.value;
      },
    },
  };
}

/** What to tell the admin for an error thrown by a port (always with the next step). */
export function describeError(e: unknown): { message: string; fix: string } {
  if (e instanceof TokenSourceError) {
    if (e.missingScopes.length > 0)
      return {
        message: `Consent is missing for ${e.missingScopes.join(', ')}.`,
        fix: 'Ask an Application Administrator to grant admin consent (Settings shows the consent link), then try again.',
      };
    if (e.code === 'notSignedIn')
      return { message: e.message, fix: 'Sign in again (Transfer a contact → Sign in), then come back to Bulk.' };
    return { message: e.message, fix: 'Sign in again or check the consent in Settings, then try again.' };
  }
  const message = e instanceof Error ? e.message : String(e);
  if (/fetch|network|Failed to fetch/i.test(message))
    return { message, fix: 'Check the network connection to Microsoft Graph, then try again.' };
  return { message, fix: 'Try again; if it keeps failing, check the journal view and the app log.' };
}

/**
 * On-premises DNs of a run's objects for the Event 6956 sweep: users and groups carry
 * `onPremisesDistinguishedName` in Graph; contacts do not, so they are found in AD by mail (then
 * display name) through `server.findOnPremContacts` (one PowerShell call per batch), and only a single match is used.
 */
export async function resolveDns(
  client: SoaClient,
  graph: GraphBatchPort,
  objectType: BulkObjectType,
  objects: { objectId: string; displayName?: string | undefined; mail?: string | null | undefined }[],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
  cloudSync?: { domains: () => Promise<string[]>; onDomains?: (objects: number, domains: string[]) => void },
): Promise<{ found: SweepObject[]; missing: { objectId: string; reason: string }[] }> {
  const found: SweepObject[] = [];
  const missing: { objectId: string; reason: string }[] = [];
  if (objectType !== 'contact') {
    const info = OBJECT_TYPES[objectType];
    const reads = await readMany(
      graph,
      objects.map((o) => ({
        key: o.objectId,
        url: `/${info.collection}/${o.objectId}?$select=id,displayName,onPremisesDistinguishedName`,
      })),
      { scopes: scopesFor(objectType) },
    );
    for (const o of objects) {
      const body = reads.get(o.objectId)?.body;
      const dn =
        typeof body === 'object' && body !== null && 'onPremisesDistinguishedName' in body
          ? (body as { onPremisesDistinguishedName: unknown }).onPremisesDistinguishedName
          : undefined;
      if (typeof dn === 'string' && dn.length > 0)
        found.push({ objectId: o.objectId, dn, ...(o.displayName ? { displayName: o.displayName } : {}) });
      else missing.push({ objectId: o.objectId, reason: 'No onPremisesDistinguishedName in Graph.' });
    }
    return { found, missing };
  }
  return findContactDnsWithDomains(
    async (input) => {
      const r = await client.call('server.findOnPremContacts', input);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
    objects,
    {
      domains: cloudSync?.domains ?? (async () => []),
      ...(cloudSync?.onDomains ? { onDomains: cloudSync.onDomains } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    },
  );
}

/**
 * Each object's onPremisesSyncEnabled as Entra ID reads it now (batched reads), with its displayName and mail (a
 * Cloud Sync rollback compares them with AD); unreadable objects are left out, a missing property stays undefined.
 */
export async function readCloudSyncState(
  graph: GraphBatchPort,
  objectType: BulkObjectType,
  ids: readonly string[],
): Promise<Map<string, CloudSyncState>> {
  const info = OBJECT_TYPES[objectType];
  const reads = await readMany(
    graph,
    ids.map((id) => ({
      key: id,
      url: `/${info.collection}/${id}?$select=id,onPremisesSyncEnabled,displayName,mail`,
    })),
    { scopes: scopesFor(objectType) },
  );
  const out = new Map<string, CloudSyncState>();
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  for (const id of ids) {
    const body = reads.get(id)?.body;
    if (typeof body === 'object' && body !== null && 'onPremisesSyncEnabled' in body) {
      const b = body as { onPremisesSyncEnabled: unknown; displayName?: unknown; mail?: unknown };
      out.set(id, {
        onPremisesSyncEnabled: typeof b.onPremisesSyncEnabled === 'boolean' ? b.onPremisesSyncEnabled : null,
        ...('displayName' in b ? { displayName: text(b.displayName) } : {}),
        ...('mail' in b ? { mail: text(b.mail) } : {}),
      });
    }
  }
  return out;
}

/** Mail address per object id from a plan (for the AD lookup of contacts). */
export function mailsOf(entries: readonly { objectId: string; mail: string | null }[]): (id: string) => string | null {
  const byId = new Map(entries.map((e) => [e.objectId, e.mail]));
  return (id) => byId.get(id) ?? null;
}
