/**
 * The lab's on-premises Connect Sync server: `createOnPrem(options)` builds the AD forest, the sync
 * engine, the event log and the host probes from the seed, and serves `{controlUrl}/onprem/*`
 * through `handle()`. Endpoints: README.md ("On-premises control endpoints").
 */
import type { OnPremAdObject, OnPremOptions, OnPremServer } from '../ports.js';
import { seedAdObjects } from './ad-forest.js';
import { forestDn, rebuildIndexes, type OnPremContext } from './context.js';
import { handleOnPrem } from './control-routes.js';
import { seedEvents } from './event-log.js';
import { onPremState, type OnPremState } from './state.js';
import { ALLOWED_INTERVAL_MS, SyncEngine } from './sync-engine.js';

export function createOnPrem(options: OnPremOptions): OnPremServer {
  const now = options.clock.now();
  const { ad, usn } = seedAdObjects(options.objects, now);
  const state: OnPremState = {
    version: 1,
    createdAt: now,
    usn,
    importWatermark: usn,
    cycleNumber: 0,
    runSeq: 0,
    recordId: 0,
    ad,
    joins: [],
    runs: [],
    events: [],
    extraProviders: [],
    scheduler: {
      customizedIntervalMs: null,
      nextPolicy: 'Delta',
      nextStartMs: now + ALLOWED_INTERVAL_MS,
      purgeRunHistoryMs: 7 * 24 * 3600 * 1000,
      syncCycleEnabled: true,
      maintenanceEnabled: true,
      schedulerSuspended: false,
    },
    config: {
      syncCycleMs: options.syncCycleMs,
      event6956Provider: options.event6956Provider || 'ADSync',
      connectSyncVersion: options.connectSyncVersion,
      cloudSyncAgentVersion: options.cloudSyncAgentVersion,
      stagingMode: options.stagingMode,
      event6956Shape: 'messageAndData',
      sharePointAttributeSet: false,
      takeoverDelayCycles: 0,
      additionalForests: [...(options.additionalForests ?? [])],
      cloudSyncAgentFolder: 'microsoftAzureAdConnect',
      cloudSyncAgentNames: 'entra',
    },
  };
  const ctx: OnPremContext = {
    state,
    clock: options.clock,
    tenant: options.tenant,
    forest: options.forest,
    tenantDomain: options.tenantDomain,
    adByDn: new Map(),
    adByGuid: new Map(),
    adByAnchor: new Map(),
    joinByAnchor: new Map(),
  };
  rebuildIndexes(ctx);
  // Each AD connector covers its forest's partition; objects of another domain (one that Cloud
  // Sync provisions) never enter Connect Sync's connector space.
  const partitions = [options.forest, ...(options.additionalForests ?? [])].map((f) => `,${forestDn(f)}`.toLowerCase());
  state.joins = state.ad
    .filter((o) => partitions.some((p) => o.dn.toLowerCase().endsWith(p)))
    .map((o) => SyncEngine.seedJoin(ctx, o));
  rebuildIndexes(ctx);
  seedEvents(ctx);
  const engine = new SyncEngine(ctx);

  const snapshot = (): OnPremState => structuredClone(ctx.state);
  const configure: OnPremServer['configure'] = (patch) => {
    const c = ctx.state.config;
    if (patch.syncCycleMs !== undefined) c.syncCycleMs = patch.syncCycleMs;
    if (patch.event6956Provider !== undefined) c.event6956Provider = patch.event6956Provider;
    if (patch.connectSyncVersion !== undefined) c.connectSyncVersion = patch.connectSyncVersion;
    if (patch.cloudSyncAgentVersion !== undefined) c.cloudSyncAgentVersion = patch.cloudSyncAgentVersion;
    if (patch.stagingMode !== undefined) c.stagingMode = patch.stagingMode;
  };

  return {
    handle: (req) =>
      handleOnPrem(
        {
          ctx,
          engine,
          configure: (patch) => {
            configure(patch);
            const c = ctx.state.config;
            if (patch.event6956Shape !== undefined) c.event6956Shape = patch.event6956Shape;
            if (patch.sharePointAttributeSet !== undefined) c.sharePointAttributeSet = patch.sharePointAttributeSet;
            if (patch.takeoverDelayCycles !== undefined) c.takeoverDelayCycles = patch.takeoverDelayCycles;
            if (patch.cloudSyncAgentFolder !== undefined) c.cloudSyncAgentFolder = patch.cloudSyncAgentFolder;
            if (patch.cloudSyncAgentNames !== undefined) c.cloudSyncAgentNames = patch.cloudSyncAgentNames;
          },
          snapshot,
        },
        req,
      ),
    snapshot,
    adObjectsUnder(baseDn: string): OnPremAdObject[] {
      const suffix = `,${baseDn}`.toLowerCase();
      return ctx.state.ad
        .filter((o) => o.dn.toLowerCase().endsWith(suffix))
        .map((o) => ({
          kind: o.kind,
          dn: o.dn,
          objectGuid: o.guid,
          anchor: o.anchor,
          attrs: { ...o.attrs },
          uSNChanged: o.uSNChanged,
          whenChangedMs: o.whenChanged,
        }));
    },
    restore(snap: unknown): void {
      const parsed = onPremState.safeParse(snap);
      if (!parsed.success) throw new Error(`Invalid on-prem snapshot: ${parsed.error.message}`);
      engine.stop();
      ctx.state = structuredClone(parsed.data);
      rebuildIndexes(ctx);
      // A cycle that was running when the snapshot was taken did not survive the restart.
      engine.stop();
    },
    configure,
    close(): void {
      engine.stop();
    },
  };
}
