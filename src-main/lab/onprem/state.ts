/**
 * The whole on-premises state, as zod schemas: `snapshot()` writes it, `restore()` parses it back.
 * Times are milliseconds since the epoch (lab clock); the endpoints format them as ISO strings.
 */
import { z } from 'zod';

export const syncedKind = z.enum(['contact', 'user', 'group']);

export const AD_STRING_ATTRS = [
  'displayName',
  'mail',
  'description',
  'givenName',
  'sn',
  'company',
  'department',
] as const;
export type AdStringAttr = (typeof AD_STRING_ATTRS)[number];

export const adStringAttrs = z.object({
  displayName: z.string().nullable(),
  mail: z.string().nullable(),
  description: z.string().nullable(),
  givenName: z.string().nullable(),
  sn: z.string().nullable(),
  company: z.string().nullable(),
  department: z.string().nullable(),
});
export type AdStringAttrs = z.infer<typeof adStringAttrs>;

export const adObjectState = z.object({
  guid: z.string(),
  anchor: z.string(),
  kind: syncedKind,
  dn: z.string(),
  cloudId: z.string(),
  /** false: a disconnector (filtered by a scoping rule), never joined */
  inSyncScope: z.boolean().default(true),
  attrs: adStringAttrs,
  member: z.array(z.string()),
  memberOf: z.array(z.string()),
  whenCreated: z.number(),
  whenChanged: z.number(),
  uSNCreated: z.number(),
  uSNChanged: z.number(),
});
export type AdObjectState = z.infer<typeof adObjectState>;

export const exportState = z.enum(['None', 'PendingExport', 'AwaitingExportConfirmation']);
export type ExportState = z.infer<typeof exportState>;

export const exportErrorState = z.object({
  ErrorCode: z.string(),
  ErrorType: z.string(),
  FirstOccurred: z.number(),
  LastOccurred: z.number(),
  RetryCount: z.number(),
});

/** Connector space + metaverse for one joined object (AD CS, MV, Entra CS), keyed by anchor. */
export const joinState = z.object({
  anchor: z.string(),
  /** an AD connector-space object without a metaverse join (outside the sync scope) */
  disconnector: z.boolean().default(false),
  /** what the AD connector last imported */
  imported: adStringAttrs.extend({ dn: z.string(), member: z.array(z.string()), memberOf: z.array(z.string()) }),
  importedAt: z.number(),
  /** what the metaverse holds (after the last synchronization) */
  syncedAt: z.number(),
  /** Entra connector side */
  blockOnPremisesSync: z.boolean(),
  exportState,
  /** cycle number in which the export was left awaiting confirmation */
  awaitingSinceCycle: z.number().nullable(),
  /** cycle number in which the synchronization first met the object rolled back (for `takeoverDelayCycles`) */
  rollbackSeenCycle: z.number().nullable().default(null),
  exportError: exportErrorState.nullable(),
  entraModifiedAt: z.number(),
});
export type JoinState = z.infer<typeof joinState>;

export const runStepState = z.object({
  StepNumber: z.number(),
  StepResult: z.string(),
  StageAdd: z.number(),
  StageUpdate: z.number(),
  StageDelete: z.number(),
  ExportAdd: z.number(),
  ExportUpdate: z.number(),
  ExportFailure: z.number(),
});

export const runState = z.object({
  seq: z.number(),
  RunHistoryId: z.string(),
  ConnectorId: z.string(),
  ConnectorName: z.string(),
  RunProfileId: z.string(),
  RunProfileName: z.string(),
  RunNumber: z.number(),
  IsRunComplete: z.boolean(),
  Result: z.string(),
  StartDate: z.number(),
  EndDate: z.number().nullable(),
  step: runStepState,
});
export type RunState = z.infer<typeof runState>;

export const eventState = z.object({
  RecordId: z.number(),
  TimeCreated: z.number(),
  Id: z.number(),
  ProviderName: z.string(),
  LogName: z.string(),
  Level: z.number(),
  Message: z.string(),
  Properties: z.array(z.string()),
});
export type EventState = z.infer<typeof eventState>;

export const schedulerState = z.object({
  customizedIntervalMs: z.number().nullable(),
  nextPolicy: z.enum(['Unspecified', 'Delta', 'Initial']),
  nextStartMs: z.number(),
  purgeRunHistoryMs: z.number(),
  syncCycleEnabled: z.boolean(),
  maintenanceEnabled: z.boolean(),
  schedulerSuspended: z.boolean(),
});
export type SchedulerState = z.infer<typeof schedulerState>;

/**
 * How Event 6956 carries the object: Microsoft documents the event only by a screenshot, so each
 * plausible shape is a setting (docs/reference/adsync-types.md, "Event 6956").
 * - `messageAndData`: the DN in the message text and as the only event data value;
 * - `dataOnly`: a message without the DN; the data holds the connector name, the Entra-side DN
 *   (`CN={…}`) and then the AD DN;
 * - `messageOnly`: no event data; the message names the Entra-side DN before the AD DN.
 */
export const event6956Shape = z.enum(['messageAndData', 'dataOnly', 'messageOnly']);
export type Event6956Shape = z.infer<typeof event6956Shape>;

export const cloudSyncAgentFolder = z.enum(['microsoftAzureAdConnect', 'azureAdConnect']);
export const cloudSyncAgentNames = z.enum(['entra', 'azureAd']);

export const configState = z.object({
  syncCycleMs: z.number().int().positive(),
  event6956Provider: z.string().min(1),
  connectSyncVersion: z.string(),
  cloudSyncAgentVersion: z.string().nullable(),
  stagingMode: z.boolean(),
  event6956Shape: event6956Shape.default('messageAndData'),
  /** The "SharePoint Online" optional attribute set: only then does a contact's description flow to Entra ID. */
  sharePointAttributeSet: z.boolean().default(false),
  /**
   * Cycles during which the sync client does not yet act on a rollback (unconfirmed: Microsoft documents the
   * two-cycle takeover, not how soon the first of those cycles sees the rollback). 0: the takeover export
   * starts on the first cycle after the rollback and is confirmed on the next; N: it starts N cycles later, and
   * until then the Entra connector object still carries blockOnPremisesSync = true.
   */
  takeoverDelayCycles: z.number().int().min(0).max(20).default(0),
  /** AD forests besides the server's own, each with its own AD connector (the `twoForests` seed) */
  additionalForests: z.array(z.string()).default([]),
  /**
   * The Cloud Sync agent's install folder: Microsoft's pages name both "Microsoft Azure AD Connect Provisioning
   * Agent" and "Azure AD Connect Provisioning Agent" under Program Files (sources disagree; docs/reference/cloud-sync.md#agent-on-the-server).
   */
  cloudSyncAgentFolder: cloudSyncAgentFolder.default('microsoftAzureAdConnect'),
  /** The agent's service display names and uninstall entry: the Entra names (current pages) or the older Azure AD names. */
  cloudSyncAgentNames: cloudSyncAgentNames.default('entra'),
});
export type ConfigState = z.infer<typeof configState>;

export const onPremState = z.object({
  version: z.literal(1),
  createdAt: z.number(),
  usn: z.number(),
  importWatermark: z.number(),
  cycleNumber: z.number(),
  runSeq: z.number(),
  recordId: z.number(),
  ad: z.array(adObjectState),
  joins: z.array(joinState),
  runs: z.array(runState),
  events: z.array(eventState),
  extraProviders: z.array(z.string()),
  scheduler: schedulerState,
  config: configState,
});
export type OnPremState = z.infer<typeof onPremState>;
