/**
 * The one IPC contract of soa-pilot.
 *
 * Every operation the renderer may ask of the main process is declared here, with its zod input
 * and output schemas and, for long work, the schema of the progress events it streams. Both sides
 * import this file: main validates at runtime through the router, the renderer gets static types.
 * The named schemas of each area are in `./schemas/` (shared, app, settings, auth, server, journal,
 * wizard-run); the operation table below is the one list of operations.
 *
 * Rules:
 * - Operation names are `<area>.<verb>`; the Electron channel is `soa:<name>`, the browser-mode
 *   route is `POST /rpc/<name>`, and the preload function is `camelCase(name)` (e.g. `authStatus`).
 * - Inputs are strict objects: unknown keys are a validation error, not silently dropped.
 * - Streaming operations take an `operationId` (chosen by the caller) so that progress events can
 *   be matched and the work cancelled through `app.cancel`.
 */
import { z } from 'zod';
import {
  accessToken,
  account,
  authStatus,
  deviceCodeProgress,
  interactiveProgress,
  interactiveSignInInput,
  scopes,
} from './schemas/auth';
import { appInfo } from './schemas/app';
import {
  JOURNAL_APPEND_MANY_MAX,
  journalRecord,
  pendingOperation,
  REPORT_MAX_CHARS,
  REPORT_PART_MAX_CHARS,
  reportFileName,
  reportFormat,
  reportName,
  reportUploadId,
  storedJournalRecord,
} from './schemas/journal';
import {
  adConnectorPartitions,
  dnInput,
  environmentInfo,
  event6956,
  onPremContact,
  policyType,
  probeAttribute,
  schedulerInfo,
  searchDomains,
  startSyncResult,
  syncCycleResult,
  syncWaitProgress,
  traceResult,
} from './schemas/server';
import { settingsShape } from './schemas/settings';
import { empty, isoDate, operationId, withOperationId, type IpcResult } from './schemas/shared';
import { savedWizardRun, wizardRunSnapshot } from './schemas/wizard-run';

// The schemas of each area live in ./schemas/ (one file per area); the names both sides use are re-exported here,
// so `@contract` (and `src-main/ipc/contract`) stays the one place to import them from.
export { checkResult, checkStatus, empty, errorCode, ipcError, isoDate, operationId } from './schemas/shared';
export type { CheckResult, ErrorCode, IpcError, IpcResult } from './schemas/shared';
export type { AppInfo } from './schemas/app';
export { nationalClouds, settingsShape } from './schemas/settings';
export type { CloudPair, Settings } from './schemas/settings';
export type { Account } from './schemas/auth';
export { searchDomain } from './schemas/server';
export type {
  AdConnectorPartitions,
  EnvironmentInfo,
  Event6956,
  ExportEvidence,
  OnPremContact,
  RunProfileResult,
  SchedulerInfo,
  TraceResult,
} from './schemas/server';
export {
  JOURNAL_APPEND_MANY_MAX,
  journalObjectType,
  journalRecord,
  REPORT_MAX_CHARS,
  REPORT_PART_MAX_CHARS,
  storedJournalRecord,
} from './schemas/journal';
export type { JournalRecordInput, StoredJournalRecord } from './schemas/journal';
export { savedSyncEngine, savedWizardRun, stepEvidence, wizardRunSnapshot } from './schemas/wizard-run';
export type { SavedSyncEngine, SavedWizardRun, WizardRunSnapshot } from './schemas/wizard-run';

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
      dns: z.array(dnInput).min(1).max(2000),
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
      name: reportName,
      format: reportFormat,
      content: z.string().max(REPORT_MAX_CHARS),
    }),
    output: z.object({ path: z.string() }),
    description: 'Save an evidence report or plan export in the app data folder.',
    // `content` holds up to 50,000,000 characters (a bulk run's CSV or HTML), plus JSON escaping
    maxBodyBytes: 64 * 1024 * 1024,
  }),
  // A large report or plan in parts, so no single call holds the renderer for long (src-main/journal/report-uploads.ts)
  'report.saveBegin': op({
    input: z.strictObject({ name: reportName, format: reportFormat }),
    output: z.object({ uploadId: reportUploadId }),
    description:
      'Start saving a report in parts: send them in order with report.savePart, then report.saveEnd (or report.saveAbort).',
  }),
  'report.savePart': op({
    input: z.strictObject({
      uploadId: reportUploadId,
      /** 0, 1, 2, … in order; a part out of order ends the upload */
      part: z.number().int().min(0).max(REPORT_MAX_CHARS),
      content: z.string().min(1).max(REPORT_PART_MAX_CHARS),
    }),
    output: z.object({ chars: z.number().int().min(0) }),
    description: 'Append the next part of a report being saved in parts; returns the characters received so far.',
    // up to 1 MiB of characters, each at most a six-byte JSON escape
    maxBodyBytes: 8 * 1024 * 1024,
  }),
  'report.saveEnd': op({
    input: z.strictObject({
      uploadId: reportUploadId,
      /** how many parts were sent and how many characters they held: a mismatch saves nothing */
      parts: z.number().int().min(0).max(REPORT_MAX_CHARS),
      chars: z.number().int().min(0).max(REPORT_MAX_CHARS),
    }),
    output: z.object({ path: z.string() }),
    description:
      'Finish a report saved in parts: fsynced, then given its name (never replacing a file); the path is returned only once it is durable.',
  }),
  'report.saveAbort': op({
    input: z.strictObject({ uploadId: reportUploadId }),
    output: z.object({ aborted: z.boolean() }),
    description: 'Give up a report being saved in parts: its parts are removed and nothing is saved.',
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
