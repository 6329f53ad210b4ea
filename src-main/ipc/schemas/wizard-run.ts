/** Schemas of `run.*` in the IPC contract (src-main/ipc/contract.ts): a resumable single-object wizard run. */
import { z } from 'zod';
import { journalObjectType } from './journal';
import { probeAttribute } from './server';
import { isoDate } from './shared';

/** One exact request or command in a step's evidence. */
export const evidenceRequest = z.object({
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
export const savedCloudSyncConfiguration = z.object({
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
