/**
 * The one IPC contract of soa-pilot.
 *
 * Every operation the renderer may ask of the main process is declared here, with its zod input
 * and output schemas and, for long work, the schema of the progress events it streams. Both sides
 * import this file: main validates at runtime through the router, the renderer gets static types.
 *
 * Rules:
 * - Operation names are `<area>.<verb>`; the Electron channel is `soa:<name>`, the browser-mode
 *   route is `POST /rpc/<name>`, and the preload function is `camelCase(name)` (e.g. `authStatus`).
 * - Inputs are strict objects: unknown keys are a validation error, not silently dropped.
 * - Streaming operations take an `operationId` (chosen by the caller) so that progress events can
 *   be matched and the work cancelled through `app.cancel`.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

export const operationId = z.string().uuid();
export const isoDate = z.string().datetime({ offset: true });
export const checkStatus = z.enum(['pass', 'warn', 'fail', 'notChecked']);

/** One preflight line: what was checked, the verdict, what was seen and how to fix it. */
export const checkResult = z.object({
  id: z.string(),
  title: z.string(),
  status: checkStatus,
  observed: z.string().optional(),
  expected: z.string().optional(),
  message: z.string(),
  fix: z.string().optional(),
});
export type CheckResult = z.infer<typeof checkResult>;

export const empty = z.strictObject({});

/** Error codes a handler may return; `validation`, `forbiddenSender` and `internal` come from the router. */
export const errorCode = z.enum([
  'validation',
  'forbiddenSender',
  'internal',
  'cancelled',
  'timeout',
  'busy',
  'notSignedIn',
  'interactionRequired',
  'notFound',
  'conflict',
  'unavailable',
  'powershell',
  'stagingMode',
  'refused',
]);
export type ErrorCode = z.infer<typeof errorCode>;

export const ipcError = z.object({
  code: errorCode,
  message: z.string(),
  detail: z.unknown().optional(),
});
export type IpcError = z.infer<typeof ipcError>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

// ---------------------------------------------------------------------------------------------
// app.*
// ---------------------------------------------------------------------------------------------

const appInfo = z.object({
  name: z.literal('soa-pilot'),
  version: z.string(),
  transport: z.enum(['electron', 'browser']),
  platform: z.string(),
  /** Where the renderer sends Graph requests (root, without the version segment). */
  graphBaseUrl: z.string().url(),
  /** Extra hosts the Graph client must treat as Graph (attach the token), e.g. the lab. */
  graphCustomHosts: z.array(z.string()),
  /** True when the embedded lab is the target (shown as a banner, never used to branch logic). */
  lab: z.boolean(),
  tenant: z.string().optional(),
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof appInfo>;

// ---------------------------------------------------------------------------------------------
// settings.*
// ---------------------------------------------------------------------------------------------

/** A Microsoft national cloud: its sign-in authority host and its Graph endpoint (both bare https origins). */
export interface CloudPair {
  /** Shown to the admin. */
  label: string;
  authorityHost: string;
  graphEndpoint: string;
}

/**
 * The national clouds the settings accept without "custom cloud" (docs/reference/national-clouds.md).
 * Main enforces the list (src-main/settings/cloud-endpoints.ts); the Settings view offers it.
 */
export const nationalClouds: readonly CloudPair[] = [
  {
    label: 'Global (Microsoft Entra ID)',
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
  },
  {
    label: 'US Government L4',
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
  },
  {
    label: 'US Government L5 (DoD)',
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://dod-graph.microsoft.us',
  },
  {
    label: 'China (operated by 21Vianet)',
    authorityHost: 'https://login.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
  },
];

export const settingsShape = z.object({
  /** Tenant id (GUID) or verified domain. */
  tenant: z.string().min(1).max(256),
  /** Client id of the admin's own public-client app registration. */
  clientId: z.string().uuid(),
  /** Authority host root, e.g. https://login.microsoftonline.com (https only). */
  authorityHost: z.string().url().startsWith('https://'),
  /** Graph root, e.g. https://graph.microsoft.com (https only). */
  graphEndpoint: z.string().url().startsWith('https://'),
  /**
   * Off: the authority and Graph endpoint must be a Microsoft national cloud's pair (or the lab the
   * run was started with). On: any https pair, an explicit admin choice shown with a warning.
   */
  customCloud: z.boolean(),
  /** Event 6956 provider name filter (unconfirmed; empty = any provider). */
  event6956Provider: z.string().max(256),
  /** Audit-log poll bound, minutes. */
  auditPollMinutes: z.number().int().min(1).max(240),
});
export type Settings = z.infer<typeof settingsShape>;

// ---------------------------------------------------------------------------------------------
// auth.*
// ---------------------------------------------------------------------------------------------

const account = z.object({
  username: z.string(),
  name: z.string().optional(),
  tenantId: z.string(),
  homeAccountId: z.string(),
  localAccountId: z.string(),
});
export type Account = z.infer<typeof account>;

const cachePersistence = z.enum(['dpapi', 'keychain', 'libsecret', 'memory']);

const authStatus = z.object({
  signedIn: z.boolean(),
  account: account.optional(),
  cache: z.object({ persistence: cachePersistence, message: z.string() }),
});

const scopes = z.array(z.string().min(1).max(200)).min(1).max(20);

const accessToken = z.object({
  accessToken: z.string(),
  expiresOn: isoDate,
  scopes: z.array(z.string()),
});

const deviceCodeProgress = z.object({
  userCode: z.string(),
  verificationUri: z.string(),
  message: z.string(),
  expiresIn: z.number(),
});

const interactiveProgress = z.object({
  /** The sign-in URL, for a transport that cannot open the system browser itself. */
  signInUrl: z.string().url(),
});

// ---------------------------------------------------------------------------------------------
// server.* (Connect Sync server through PowerShell)
// ---------------------------------------------------------------------------------------------

const policyType = z.enum(['Delta', 'Initial']);

const schedulerInfo = z.object({
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

const environmentInfo = z.object({
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
const adConnectorPartitions = z.object({
  available: z.boolean(),
  connectors: z.array(z.object({ name: z.string(), partitions: z.array(z.string()) })),
  message: z.string().nullable(),
});
export type AdConnectorPartitions = z.infer<typeof adConnectorPartitions>;

const startSyncResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('started'), startedAt: isoDate, result: z.string() }),
  z.object({ status: z.literal('busy'), message: z.string(), retryAfterSeconds: z.number() }),
  z.object({ status: z.literal('stagingMode'), message: z.string() }),
]);

const runProfileResult = z.object({
  runHistoryId: z.string(),
  connectorName: z.string(),
  runProfileName: z.string(),
  result: z.string(),
  startDate: isoDate,
  endDate: isoDate.nullable(),
});
export type RunProfileResult = z.infer<typeof runProfileResult>;

const syncWaitProgress = z.object({
  phase: z.enum(['starting', 'waitingForBusy', 'running', 'collecting']),
  elapsedMs: z.number(),
  connector: z.string().nullable(),
  message: z.string(),
});

const syncCycleResult = z.object({
  t0: isoDate,
  finishedAt: isoDate,
  runs: z.array(runProfileResult),
  allSucceeded: z.boolean(),
});

const csObject = z.object({
  connectorName: z.string(),
  distinguishedName: z.string(),
  objectId: z.string(),
  hasExportError: z.boolean(),
  hasSyncError: z.boolean(),
  /** every attribute with its values; absent in a summary trace (`server.traceObjects` with `summary`) */
  attributes: z.record(z.string(), z.array(z.string())).optional(),
});

/** Which AD connector was searched: the one whose partition holds the DN, or every AD connector. */
const adConnectorChoice = z.object({
  name: z.string().nullable(),
  via: z.enum(['partition', 'allConnectors']),
  partition: z.string().nullable(),
});

/**
 * Whether the takeover export awaits confirmation, and where that was read: `csObject`
 * (blockOnPremisesSync still True), `runHistory` (an Export run of the Entra connector since the
 * given time), or `notObservable` (the real objects carry no export state; see `detail`).
 */
const exportEvidence = z.object({
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

const traceResult = z.discriminatedUnion('status', [
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

const onPremContact = z.object({
  distinguishedName: z.string(),
  objectGuid: z.string(),
  displayName: z.string().nullable(),
  mail: z.string().nullable(),
  description: z.string().nullable(),
});
export type OnPremContact = z.infer<typeof onPremContact>;

const event6956 = z.object({
  time: isoDate,
  recordId: z.number(),
  provider: z.string(),
  dn: z.string().nullable(),
  /** where the DN was read: the event data (first choice) or the message text (fallback) */
  dnSource: z.enum(['eventData', 'message']).nullable(),
  message: z.string(),
});
export type Event6956 = z.infer<typeof event6956>;

const dnInput = z.string().min(3).max(2048);
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
const searchDomains = z.array(searchDomain).max(50).optional();
/** The harmless AD attributes the 6956 probe may change. */
const probeAttribute = z.enum(['description', 'department', 'company', 'givenName', 'sn']);

// ---------------------------------------------------------------------------------------------
// journal.* and report.*
// ---------------------------------------------------------------------------------------------

export const journalObjectType = z.enum(['contact', 'user', 'group']);

/** Most records one `journal.appendMany` call carries (a bulk batch's intents or results fit many times). */
export const JOURNAL_APPEND_MANY_MAX = 500;

/** One journal record. `intent` is written (and fsynced) before the Graph request is sent. */
export const journalRecord = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('intent'),
    opId: z.string().min(1).max(100),
    runId: z.string().max(100).optional(),
    objectType: journalObjectType,
    objectId: z.string().min(1).max(100),
    displayName: z.string().max(512).optional(),
    /** `planOverride`: the admin overrode a bulk plan's "could not check" block (journaled with its result, never pending) */
    action: z.enum(['transfer', 'rollback', 'displayName', 'adTouch', 'adRestore', 'auAdd', 'planOverride']),
    /** The account that sent the write when it is not the signed-in admin (another admin's proof sign-in). */
    actor: z.string().max(256).optional(),
    before: z.unknown().optional(),
    request: z.object({ method: z.string(), url: z.string(), body: z.unknown().optional() }),
  }),
  z.object({
    kind: z.literal('result'),
    opId: z.string().min(1).max(100),
    outcome: z.enum(['done', 'failed', 'unknown']),
    verified: z.boolean(),
    requestId: z.string().optional(),
    status: z.number().optional(),
    after: z.unknown().optional(),
    reason: z.string().max(2000).optional(),
  }),
  /**
   * What a run observed after its writes (a bulk run's final results, a follow-up cycle on the server,
   * an audit-log check, an Event 6956 sweep), so a reload or restart shows the same evidence. Never an intent: never pending.
   */
  z.object({
    kind: z.literal('observation'),
    opId: z.string().min(1).max(100),
    runId: z.string().min(1).max(100),
    topic: z.enum(['bulkRunEnd', 'bulkServerCycle', 'bulkFollowUpEnd', 'bulkAudit', 'bulkSweep6956']),
    /** the observation; its shape per topic is parsed where it is read (src-renderer/lib/soa/bulk/run-journal.ts) */
    data: z.unknown(),
  }),
]);
export type JournalRecordInput = z.infer<typeof journalRecord>;
export const storedJournalRecord = z.intersection(
  journalRecord,
  z.object({ seq: z.number().int(), at: isoDate, tenant: z.string() }),
);
export type StoredJournalRecord = z.infer<typeof storedJournalRecord>;

const pendingOperation = z.object({
  opId: z.string(),
  intent: storedJournalRecord,
});

const reportFormat = z.enum(['html', 'json', 'csv']);

/** A saved report file's name as `report.save` returned it (`<name>.<format>`, no folders). */
const reportFileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.(html|json|csv)$/);

// ---------------------------------------------------------------------------------------------
// run.* (resumable single-object wizard runs)
// ---------------------------------------------------------------------------------------------

/** One exact request or command in a step's evidence. */
const evidenceRequest = z.object({
  kind: z.enum(['graph', 'powershell', 'journal']),
  label: z.string(),
  body: z.unknown().optional(),
  at: z.string(),
  status: z.union([z.number(), z.string()]).optional(),
  requestId: z.string().nullable().optional(),
  response: z.unknown().optional(),
  attempts: z.array(z.unknown()).optional(),
});

/** One step's evidence, as the wizard records it (`src-renderer/lib/soa/evidence.ts`). */
export const stepEvidence = z.object({
  id: z.string().min(1).max(100),
  title: z.string(),
  purpose: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  requests: z.array(evidenceRequest),
  expected: z.string(),
  observed: z.string(),
  verdict: z.enum(['pass', 'warn', 'fail', 'info', 'skipped', 'pending', 'cancelled']),
  notes: z.array(z.string()),
  /** For the read-only and writable proofs: by a write (and by which account) or by state evidence. */
  proof: z
    .object({ by: z.enum(['write', 'state']), summary: z.string(), account: z.string().max(256).optional() })
    .optional(),
});

/** A Cloud Sync configuration as engine detection found it (docs/reference/cloud-sync.md#finding-the-configuration). */
const savedCloudSyncConfiguration = z.object({
  servicePrincipalId: z.string().min(1).max(100),
  displayName: z.string().max(512).nullable(),
  jobId: z.string().min(1).max(300),
  domain: z.string().max(255).nullable(),
  domainSource: z.enum(['jobSettings', 'displayName', 'none']),
  forest: z.string().max(255).nullable(),
  scheduleState: z.string().max(100).nullable(),
  statusCode: z.string().max(100).nullable(),
  interval: z.string().max(100).nullable(),
});

/**
 * The object's sync engine as the pick step detected it, with the Cloud Sync rule provisionOnDemand uses: a resumed
 * run goes on with it (the job's run state is read again by each Cloud Sync proof before it waits).
 */
export const savedSyncEngine = z.object({
  route: z.object({
    engine: z.enum(['cloudSync', 'connectSync', 'both', 'none', 'unknown']),
    domain: z.string().max(255).nullable(),
    cloudSync: savedCloudSyncConfiguration.nullable(),
    connectSync: z.object({ connector: z.string().max(512), partition: z.string().max(2048) }).nullable(),
    basis: z.array(z.string().max(4000)).max(20),
  }),
  /** null: no rule was read (provisionOnDemand is then not used) or the object is not on Cloud Sync */
  rule: z
    .object({
      ruleId: z.string().min(1).max(300),
      objectTypeName: z.string().max(100).nullable(),
      objectTypeNames: z.array(z.string().max(100)).max(20),
      mappedTypes: z.array(z.string().max(100)).max(100),
    })
    .nullable(),
});
export type SavedSyncEngine = z.infer<typeof savedSyncEngine>;

/**
 * A single-object wizard run as saved after every step: the object, where the admin is, and the
 * evidence so far. Live state (the object's SOA flags, the server trace, the audit search) is not
 * trusted from here: a resumed run reads it again before going on.
 */
export const wizardRunSnapshot = z.object({
  runId: z.string().uuid(),
  kind: z.enum(['transfer', 'rollback']),
  startedAt: isoDate,
  /** The step the admin is on (0-based) and the furthest step reached. */
  index: z.number().int().min(0).max(50),
  visited: z.number().int().min(0).max(50),
  stepId: z.string().min(1).max(100),
  stepTitle: z.string().max(200),
  object: z
    .object({
      type: journalObjectType,
      id: z.string().min(1).max(100),
      displayName: z.string().max(512),
      mail: z.string().max(320).nullable(),
      dn: z.string().max(2048).nullable(),
    })
    .nullable(),
  evidence: z.array(stepEvidence).max(100),
  opIds: z.array(z.string().max(100)).max(100),
  /** Where the audit search started (the write's time less a margin), to search again on resume. */
  auditSince: isoDate.optional(),
  /** The AD probe of the 6956 proof (the attribute it changed and its old value), so its restore stays available. */
  adProbe: z
    .object({
      /** runs saved before the probe chose its attribute changed description */
      attribute: probeAttribute.default('description'),
      oldDescription: z.string().nullable(),
      newDescription: z.string(),
      since: z.string(),
    })
    .nullable()
    .optional(),
  /** The engine step's result (runs saved before it was kept detect the engine again on resume). */
  engine: savedSyncEngine.optional(),
});
export type WizardRunSnapshot = z.infer<typeof wizardRunSnapshot>;
export const savedWizardRun = wizardRunSnapshot.extend({
  savedAt: isoDate,
  status: z.enum(['open', 'finished', 'abandoned']),
});
export type SavedWizardRun = z.infer<typeof savedWizardRun>;

// ---------------------------------------------------------------------------------------------
// The operation table
// ---------------------------------------------------------------------------------------------

interface OperationDef<I extends z.ZodType, O extends z.ZodType, P extends z.ZodType | undefined> {
  input: I;
  output: O;
  /** Present when the operation streams progress events. */
  progress: P;
  description: string;
  /** Largest request body the browser-mode bridge accepts for it (default `DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
}

function op<I extends z.ZodType, O extends z.ZodType, P extends z.ZodType | undefined = undefined>(def: {
  input: I;
  output: O;
  progress?: P;
  description: string;
  maxBodyBytes?: number;
}): OperationDef<I, O, P> {
  return { ...def, progress: def.progress as P };
}

const withOperationId = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ operationId, ...shape });
/** Both interactive sign-ins (the admin's and the proof admin's): the scopes and an optional account hint. */
const interactiveSignInInput = withOperationId({ scopes, loginHint: z.string().max(256).optional() });

export const contract = {
  // app
  'app.info': op({ input: empty, output: appInfo, description: 'Version, transport and targets.' }),
  'app.cancel': op({
    input: z.strictObject({ operationId }),
    output: z.object({ cancelled: z.boolean() }),
    description: 'Cancel a running streaming operation by its id.',
  }),
  'app.ping': op({
    input: z.strictObject({ message: z.string().max(1000) }),
    output: z.object({ echo: z.string(), at: isoDate }),
    description: 'Round trip through the transport (used by the shell and e2e smoke tests).',
  }),

  // settings
  'settings.get': op({ input: empty, output: settingsShape, description: 'Current settings.' }),
  'settings.set': op({
    input: settingsShape.partial().strict(),
    output: settingsShape,
    description:
      'Change settings (national-cloud endpoints unless customCloud; signs out when tenant, client, authority or Graph endpoint change).',
  }),
  'settings.consentUrl': op({
    input: z.strictObject({ scopes }),
    output: z.object({ url: z.string().url() }),
    description: 'Admin-consent URL for the configured app registration and scopes.',
  }),

  // auth
  'auth.status': op({ input: empty, output: authStatus, description: 'Signed-in account and cache.' }),
  'auth.signInInteractive': op({
    input: interactiveSignInInput,
    output: account,
    progress: interactiveProgress,
    description: 'Auth code + PKCE through the system browser.',
  }),
  'auth.signInDeviceCode': op({
    input: withOperationId({ scopes }),
    output: account,
    progress: deviceCodeProgress,
    description: 'Device-code flow.',
  }),
  'auth.getAccessToken': op({
    input: z.strictObject({ scopes, forceRefresh: z.boolean().optional() }),
    output: accessToken,
    description: 'Access token for exactly these scopes (never a refresh token).',
  }),
  'auth.signOut': op({ input: empty, output: z.object({ signedOut: z.boolean() }), description: 'Clear the account.' }),
  'auth.proofAdminSignIn': op({
    input: interactiveSignInInput,
    output: z.object({ proofSessionId: z.string().uuid(), account, expiresAt: isoDate }),
    progress: interactiveProgress,
    description:
      'Another admin signs in for one proof write only (in-memory token cache, a different account than the signed-in admin).',
  }),
  'auth.proofAdminToken': op({
    input: z.strictObject({ proofSessionId: z.string().uuid(), scopes }),
    output: accessToken,
    description: 'Access token of the proof sign-in, only for the scopes it was signed in for, until it ends.',
  }),
  'auth.proofAdminEnd': op({
    input: z.strictObject({ proofSessionId: z.string().uuid() }),
    output: z.object({ ended: z.boolean() }),
    description: 'End the proof sign-in: its account and tokens are dropped.',
  }),

  // server (Connect Sync)
  'server.environment': op({ input: empty, output: environmentInfo, description: 'Versions, services, staging mode.' }),
  'server.scheduler': op({ input: empty, output: schedulerInfo, description: 'Get-ADSyncScheduler.' }),
  'server.adConnectors': op({
    input: empty,
    output: adConnectorPartitions,
    description: 'The AD connectors and their selected partitions (which DNs Connect Sync syncs).',
  }),
  'server.startSyncCycle': op({
    input: z.strictObject({ policyType }),
    output: startSyncResult,
    description: 'Start-ADSyncSyncCycle; busy and staging are typed results.',
  }),
  'server.runSyncCycle': op({
    input: withOperationId({
      policyType,
      timeoutSeconds: z.number().int().min(5).max(7200).default(1800),
      waitIfBusy: z.boolean().default(true),
    }),
    output: z.discriminatedUnion('status', [
      z.object({ status: z.literal('completed'), cycle: syncCycleResult }),
      z.object({ status: z.literal('busy'), message: z.string(), retryAfterSeconds: z.number() }),
      z.object({ status: z.literal('stagingMode'), message: z.string() }),
    ]),
    progress: syncWaitProgress,
    description: 'Start a cycle (waiting out a busy engine if asked), wait for it, return run results.',
  }),
  'server.waitForSyncCycle': op({
    input: withOperationId({ t0: isoDate, timeoutSeconds: z.number().int().min(5).max(7200).default(1800) }),
    output: syncCycleResult,
    progress: syncWaitProgress,
    description: 'Poll SyncCycleInProgress, then return the run-profile results since t0.',
  }),
  'server.traceObject': op({
    input: z.strictObject({
      dn: dnInput,
      /** the start of the window in which an Export run counts as this object's takeover export */
      since: isoDate.optional(),
    }),
    output: traceResult,
    description: 'AD CS object → metaverse → Entra CS object.',
  }),
  'server.traceObjects': op({
    input: z.strictObject({
      /** the DNs to trace in one PowerShell call (a bulk follow-up sends them in batches) */
      dns: z.array(dnInput).min(1).max(1000),
      since: isoDate.optional(),
      /** leave the attribute lists out of adObject/entraObject (a bulk verdict reads only the named members) */
      summary: z.boolean().optional(),
    }),
    output: z.object({
      traces: z.array(traceResult),
      /** DNs whose trace failed (the others still come back) */
      failures: z.array(z.object({ dn: z.string(), message: z.string() })),
    }),
    description: 'Many traces in one PowerShell call: connectors and run history read once per call.',
  }),
  'server.findOnPremContact': op({
    input: z.strictObject({
      mail: z.string().max(320).optional(),
      displayName: z.string().max(256).optional(),
      dn: dnInput.optional(),
      domains: searchDomains,
    }),
    output: z.object({ matches: z.array(onPremContact), via: z.enum(['activeDirectory', 'connectorSpace']) }),
    description: 'Find the on-premises contact by mail, display name or DN.',
  }),
  'server.findOnPremContacts': op({
    input: z.strictObject({
      /** each query is answered like findOnPremContact: by mail, then (when the mail finds nothing) by display name */
      queries: z
        .array(
          z.strictObject({
            key: z.string().min(1).max(128),
            mail: z.string().max(320).optional(),
            displayName: z.string().max(256).optional(),
          }),
        )
        .min(1)
        .max(5000),
      domains: searchDomains,
    }),
    output: z.object({
      results: z.array(z.object({ key: z.string(), matches: z.array(onPremContact) })),
      via: z.literal('activeDirectory'),
    }),
    description: 'Many contact lookups in one PowerShell call (OR-filters of mail, then display name).',
  }),
  'server.events6956': op({
    input: z.strictObject({
      since: isoDate,
      dn: dnInput.optional(),
      /** several DNs in one sweep (a bulk follow-up); combined with `dn` when both are given */
      dns: z.array(dnInput).max(5000).optional(),
      maxEvents: z.number().int().min(1).max(5000).default(500),
    }),
    output: z.object({ events: z.array(event6956), provider: z.string().nullable() }),
    description: 'Event 6956 from the Application log since a time, optionally for one DN.',
  }),
  'server.touchOnPremObject': op({
    input: z.strictObject({
      dn: dnInput,
      confirm: z.literal(true),
      /** the probe value written to the attribute */
      description: z.string().max(1024),
      /** ask for this attribute; refused when the sync rules do not flow it (default: the first that flows) */
      attribute: probeAttribute.optional(),
    }),
    output: z.object({
      dn: z.string(),
      /** the attribute changed: one the server's sync rules flow to Entra ID for the object's type */
      attribute: probeAttribute,
      /** where the flow was read: Get-ADSyncRule, or Microsoft's documented default list when the rules are unreadable */
      attributeSource: z.enum(['syncRules', 'defaultList']),
      attributeReason: z.string(),
      /** the attribute's old and new values (named after the first probe attribute, description) */
      oldDescription: z.string().nullable(),
      newDescription: z.string(),
    }),
    description: 'Harmless AD change (description) to prove 6956; returns the old value.',
  }),
  'server.restoreOnPremObject': op({
    input: z.strictObject({
      dn: dnInput,
      confirm: z.literal(true),
      description: z.string().max(1024).nullable(),
      /** the attribute the probe changed (default description) */
      attribute: probeAttribute.optional(),
    }),
    output: z.object({ dn: z.string(), attribute: probeAttribute, description: z.string().nullable() }),
    description: 'Restore the description recorded by touchOnPremObject.',
  }),

  // journal and reports
  'journal.append': op({
    input: z.strictObject({ record: journalRecord }),
    output: z.object({ seq: z.number().int(), at: isoDate }),
    description: 'Append (and fsync) one record to this tenant’s journal.',
    // one record with its before/after snapshots
    maxBodyBytes: 1024 * 1024,
  }),
  'journal.appendMany': op({
    input: z.strictObject({ records: z.array(journalRecord).min(1).max(JOURNAL_APPEND_MANY_MAX) }),
    output: z.object({
      /** the accepted records' seq and time, in the order they were given (refused ones left out) */
      written: z.array(z.object({ seq: z.number().int(), at: isoDate })),
      /** records refused because they carry a credential (the value is never echoed) */
      refused: z.array(z.object({ opId: z.string(), message: z.string() })),
    }),
    description:
      'Append (and fsync) several records with one write and one fsync; a record that carries a credential is refused alone.',
    // a bulk batch's intents or results with their snapshots
    maxBodyBytes: 8 * 1024 * 1024,
  }),
  'journal.pending': op({
    input: empty,
    output: z.object({ pending: z.array(pendingOperation) }),
    description: 'Intents without a result (unfinished after a crash).',
  }),
  'journal.read': op({
    input: z.strictObject({
      runId: z.string().max(100).optional(),
      limit: z.number().int().min(1).max(100000).default(1000),
      /** Page forward: the first `limit` records with a larger `seq` (instead of the newest `limit`). */
      afterSeq: z.number().int().min(0).optional(),
    }),
    output: z.object({ records: z.array(storedJournalRecord), path: z.string() }),
    description: 'Read journal records (newest last); with afterSeq, the next page after that seq.',
  }),
  'report.open': op({
    input: z.strictObject({ file: reportFileName }),
    output: z.object({ opened: z.boolean(), url: z.string().nullable() }),
    description:
      'Open a saved report: the desktop app opens it with the system viewer (shell.openPath); browser mode returns a URL the page opens (served only with the session token).',
  }),
  'report.saveAs': op({
    input: z.strictObject({ file: reportFileName }),
    output: z.object({ savedTo: z.string().nullable(), url: z.string().nullable() }),
    description:
      'Save a copy of a saved report where the admin chooses: a save dialog in the desktop app; in browser mode a download URL (served only with the session token).',
  }),
  'run.save': op({
    input: z.strictObject({ run: wizardRunSnapshot }),
    output: z.object({ savedAt: isoDate }),
    description:
      'Save (fsynced, atomically) a single-object wizard run after a step, so a reload or restart can resume it.',
    // up to 100 evidence entries
    maxBodyBytes: 4 * 1024 * 1024,
  }),
  'run.list': op({
    input: empty,
    output: z.object({ runs: z.array(savedWizardRun) }),
    description: 'The wizard runs of this tenant that are still open (newest first).',
  }),
  'run.close': op({
    input: z.strictObject({ runId: z.string().uuid(), status: z.enum(['finished', 'abandoned']) }),
    output: z.object({ closed: z.boolean() }),
    description:
      'Mark a wizard run finished (report saved) or abandoned (start over): it is no longer offered for resume.',
  }),
  'report.save': op({
    input: z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/),
      format: reportFormat,
      content: z.string().max(50_000_000),
    }),
    output: z.object({ path: z.string() }),
    description: 'Save an evidence report or plan export in the app data folder.',
    // `content` holds up to 50,000,000 characters (a bulk run's CSV or HTML), plus JSON escaping
    maxBodyBytes: 64 * 1024 * 1024,
  }),
} as const;

export type Contract = typeof contract;

/** Request body limit of an operation without its own `maxBodyBytes`: every small-input operation. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The browser-mode bridge's body limit for `name` (the default for names outside the contract). */
export function maxBodyBytes(name: string): number {
  const def = Object.hasOwn(contract, name) ? (contract as Record<string, { maxBodyBytes?: number }>)[name] : undefined;
  return def?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
}
export type OperationName = keyof Contract;
export type OpInput<N extends OperationName> = z.input<Contract[N]['input']>;
export type OpParsedInput<N extends OperationName> = z.output<Contract[N]['input']>;
export type OpOutput<N extends OperationName> = z.output<Contract[N]['output']>;
export type StreamingOperationName = {
  [N in OperationName]: Contract[N]['progress'] extends z.ZodType ? N : never;
}[OperationName];
export type OpProgress<N extends OperationName> = Contract[N]['progress'] extends z.ZodType
  ? z.output<Contract[N]['progress']>
  : never;

export const operationNames = Object.keys(contract) as OperationName[];

/** `auth.signInInteractive` → `authSignInInteractive` (the preload/bridge function name). */
export function methodName(name: string): string {
  return name.replace(/\.([a-z])/g, (_, c: string) => c.toUpperCase());
}

export const CHANNEL_PREFIX = 'soa:';
export const EVENT_CHANNEL = 'soa:event';

/** A progress event on the event stream. */
export const progressEvent = z.object({
  operationId,
  operation: z.string(),
  data: z.unknown(),
});
export type ProgressEvent = z.infer<typeof progressEvent>;

/** The typed API the preload exposes as `window.soa` (and the browser bridge mirrors). */
export type SoaApi = {
  [N in OperationName as CamelOp<N>]: (input: OpInput<N>) => Promise<IpcResult<OpOutput<N>>>;
} & {
  onProgress(listener: (event: ProgressEvent) => void): () => void;
};

export type CamelOp<S extends string> = S extends `${infer A}.${infer B}` ? `${A}${Capitalize<B>}` : S;
