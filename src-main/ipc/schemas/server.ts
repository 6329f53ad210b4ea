/**
 * Schemas of `server.*` in the IPC contract (src-main/ipc/contract.ts): the Connect Sync server and its AD, read
 * and changed through PowerShell (the environment, scheduler, sync cycles, object traces, contact searches,
 * Event 6956 and the AD probe).
 */
import { z } from 'zod';
import { checkResult, isoDate } from './shared';

export const policyType = z.enum(['Delta', 'Initial']);

export const schedulerInfo = z.object({
  syncCycleEnabled: z.boolean(),
  stagingModeEnabled: z.boolean(),
  syncCycleInProgress: z.boolean(),
  schedulerSuspended: z.boolean(),
  maintenanceEnabled: z.boolean(),
  nextSyncCyclePolicyType: z.string(),
  nextSyncCycleStartTimeInUTC: z.string().nullable(),
  currentlyEffectiveSyncCycleInterval: z.string().nullable(),
});
export type SchedulerInfo = z.infer<typeof schedulerInfo>;

export const environmentInfo = z.object({
  psEdition: z.string(),
  psVersion: z.string(),
  adSyncModule: z.boolean(),
  connectSyncVersion: z.string().nullable(),
  cloudSyncAgentVersion: z.string().nullable(),
  services: z.array(z.object({ name: z.string(), status: z.string().nullable() })),
  stagingMode: z.boolean().nullable(),
  checks: z.array(checkResult),
});
export type EnvironmentInfo = z.infer<typeof environmentInfo>;

/**
 * The AD connectors of the Connect Sync server with their selected partitions; `available` false when Connect Sync
 * does not run on the server (no ADSync module: a Cloud Sync-only server). Engine detection matches DNs against them.
 */
export const adConnectorPartitions = z.object({
  available: z.boolean(),
  connectors: z.array(z.object({ name: z.string(), partitions: z.array(z.string()) })),
  message: z.string().nullable(),
});
export type AdConnectorPartitions = z.infer<typeof adConnectorPartitions>;

export const startSyncResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('started'), startedAt: isoDate, result: z.string() }),
  z.object({ status: z.literal('busy'), message: z.string(), retryAfterSeconds: z.number() }),
  z.object({ status: z.literal('stagingMode'), message: z.string() }),
]);

export const runProfileResult = z.object({
  runHistoryId: z.string(),
  connectorName: z.string(),
  runProfileName: z.string(),
  result: z.string(),
  startDate: isoDate,
  endDate: isoDate.nullable(),
});
export type RunProfileResult = z.infer<typeof runProfileResult>;

export const syncWaitProgress = z.object({
  phase: z.enum(['starting', 'waitingForBusy', 'running', 'collecting']),
  elapsedMs: z.number(),
  connector: z.string().nullable(),
  message: z.string(),
});

export const syncCycleResult = z.object({
  t0: isoDate,
  finishedAt: isoDate,
  runs: z.array(runProfileResult),
  allSucceeded: z.boolean(),
});

export const csObject = z.object({
  connectorName: z.string(),
  distinguishedName: z.string(),
  objectId: z.string(),
  hasExportError: z.boolean(),
  hasSyncError: z.boolean(),
  /** every attribute with its values; absent in a summary trace (`server.traceObjects` with `summary`) */
  attributes: z.record(z.string(), z.array(z.string())).optional(),
});

/** Which AD connector was searched: the one whose partition holds the DN, or every AD connector. */
export const adConnectorChoice = z.object({
  name: z.string().nullable(),
  via: z.enum(['partition', 'allConnectors']),
  partition: z.string().nullable(),
});

/**
 * Whether the takeover export awaits confirmation, and where that was read: `csObject`
 * (blockOnPremisesSync still True), `runHistory` (an Export run of the Entra connector since the
 * given time), or `notObservable` (the real objects carry no export state; see `detail`).
 */
export const exportEvidence = z.object({
  awaiting: z.boolean().nullable(),
  source: z.enum(['csObject', 'runHistory', 'notObservable']),
  detail: z.string(),
  exportRun: z
    .object({
      runHistoryId: z.string(),
      runNumber: z.number(),
      result: z.string(),
      startDate: z.string().nullable(),
      exported: z.number(),
    })
    .nullable(),
  pendingExports: z.number().nullable(),
});
export type ExportEvidence = z.infer<typeof exportEvidence>;

export const traceResult = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('unknownDn'),
    dn: z.string(),
    adConnector: adConnectorChoice,
    message: z.string(),
  }),
  z.object({
    status: z.literal('notJoined'),
    dn: z.string(),
    adConnector: adConnectorChoice,
    adObject: csObject,
    message: z.string(),
  }),
  z.object({
    status: z.literal('traced'),
    dn: z.string(),
    adConnector: adConnectorChoice,
    adObject: csObject,
    metaverseObjectId: z.string(),
    entraObject: csObject.nullable(),
    blockOnPremisesSync: z.boolean().nullable(),
    cloudAnchor: z.string().nullable(),
    cloudMastered: z.boolean().nullable(),
    awaitingExportConfirmation: z.boolean().nullable(),
    exportEvidence,
    message: z.string(),
  }),
]);
export type TraceResult = z.infer<typeof traceResult>;

export const onPremContact = z.object({
  distinguishedName: z.string(),
  objectGuid: z.string(),
  displayName: z.string().nullable(),
  mail: z.string().nullable(),
  description: z.string().nullable(),
});
export type OnPremContact = z.infer<typeof onPremContact>;

export const event6956 = z.object({
  time: isoDate,
  recordId: z.number(),
  provider: z.string(),
  dn: z.string().nullable(),
  /** where the DN was read: the event data (first choice) or the message text (fallback) */
  dnSource: z.enum(['eventData', 'message']).nullable(),
  message: z.string(),
});
export type Event6956 = z.infer<typeof event6956>;

export const dnInput = z.string().min(3).max(2048);
/**
 * AD domains (DNS names) that a search by mail or display name also asks, with `-Server <domain>`, besides the
 * server's own domain and the domains its AD connectors sync: the Cloud Sync jobs' DomainFQDN, whose domains
 * may be in forests no Connect Sync connector names. Sent to PowerShell as data only.
 */
export const searchDomain = z
  .string()
  .max(253)
  .regex(
    /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i,
    'an AD domain is a DNS name such as fabrikam.com',
  );
export const searchDomains = z.array(searchDomain).max(50).optional();
/** The harmless AD attributes the 6956 probe may change. */
export const probeAttribute = z.enum(['description', 'department', 'company', 'givenName', 'sn']);
