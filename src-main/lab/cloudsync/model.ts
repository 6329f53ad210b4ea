/**
 * Microsoft Entra Cloud Sync in the lab: one configuration (a service principal with an
 * `AD2AADProvisioning` job) for one AD domain, its provisioning log, and the named variants of
 * what Microsoft does not document (docs/reference/cloud-sync.md).
 * Everything here is plain JSON so it is saved with the tenant state.
 */
import type { SyncedKind } from '../ports';

/** The application template every Cloud Sync configuration is instantiated from (docs/reference/cloud-sync.md#finding-the-configuration). */
export const CLOUD_SYNC_APP_TEMPLATE_ID = '1a4721b3-e57f-4451-ae87-ef078703ec94';
export const CLOUD_SYNC_APP_DISPLAY_NAME = 'Active Directory to Azure Active Directory Provisioning';
export const AD2AAD_TEMPLATE_ID = 'AD2AADProvisioning';

/** provisioningStatusInfo.status values (docs/reference/cloud-sync.md#provisioning-logs). */
export type ProvisioningStatus = 'success' | 'failure' | 'skipped' | 'warning';
/** provisioningAction values. */
export type ProvisioningAction = 'create' | 'update' | 'delete' | 'stagedDelete' | 'disable' | 'other';

export interface ProvisioningStep {
  name: string;
  provisioningStepType: 'import' | 'scoping' | 'matching' | 'processing' | 'referenceResolution' | 'export';
  status: ProvisioningStatus;
  description: string;
  details: Record<string, string>;
}

/** One provisioningObjectSummary, as GET /auditLogs/provisioning returns it. */
export interface ProvisioningLogEntry {
  id: string;
  activityDateTime: string;
  tenantId: string;
  jobId: string;
  cycleId: string;
  changeId: string;
  provisioningAction: ProvisioningAction;
  durationInMilliseconds: number;
  initiatedBy: { id: string; displayName: string; initiatorType: 'system' | 'user' | 'application' };
  servicePrincipal: { id: string; displayName: string };
  sourceSystem: { id: string; displayName: string; details: Record<string, string> };
  targetSystem: { id: string; displayName: string; details: Record<string, string> };
  sourceIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  targetIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  provisioningStatusInfo: {
    status: ProvisioningStatus;
    errorInformation: {
      errorCode: string | null;
      reason: string | null;
      additionalDetails: string | null;
      errorCategory: string | null;
      recommendedAction: string | null;
    } | null;
  };
  provisioningSteps: ProvisioningStep[];
  modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[];
}

export interface CloudSyncExecution {
  timeBegan: string;
  timeEnded: string;
  countExported: number;
  countImported: number;
  countEscrowed: number;
}

/** One Cloud Sync configuration and what its provisioning service remembers. */
export interface CloudSyncConfiguration {
  servicePrincipalId: string;
  appId: string;
  jobId: string;
  /** the schema's one synchronization rule (the ruleId provisionOnDemand takes) */
  ruleId: string;
  /** the AD domain the configuration targets (job setting DomainFQDN) */
  domain: string;
  domainNetBios: string;
  forest: string;
  forestNetBios: string;
  /** the domain's naming context, e.g. DC=adatum,DC=com */
  domainDn: string;
  /** lab time the next cycle is due (0: not scheduled yet; scheduled when the service starts) */
  nextCycleAtMs: number;
  /** cycles run so far */
  cyclesRun: number;
  /** the seeded objects count as processed: taken once, at the first catch-up */
  baselineTaken: boolean;
  lastExecution: CloudSyncExecution | null;
  /** per AD objectGUID anchor: the uSNChanged the provisioning service last processed */
  processedUsn: Record<string, number>;
  /**
   * Paused by `POST …/jobs/{id}/pause` (status code `Paused`): no cycle runs until `start` or `restart`
   * (docs/reference/cloud-sync.md#pause-start-and-restart). Absent in states saved before it existed: not paused.
   */
  paused?: boolean;
  /**
   * Lab time the job went into quarantine (the `cloudSyncQuarantine` setting); absent: not in quarantine. While in
   * quarantine the next cycle is one day after the previous one (docs/reference/cloud-sync.md#quarantine).
   */
  quarantineBeganMs?: number;
  /**
   * What `PUT …/synchronization/secrets` stored (for Cloud Sync: `Domain`). Write-only: no Graph answer and no
   * control view shows a value (docs/reference/cloud-sync.md#synchronization-secrets).
   */
  secrets?: { key: string; value: string }[];
}

export interface CloudSyncState {
  configurations: CloudSyncConfiguration[];
  log: ProvisioningLogEntry[];
}

// ---- unknowns: each plausible variant is a named lab setting (docs/reference/cloud-sync.md#unknowns-as-lab-variants) ----

/**
 * What the provisioning log and provisionOnDemand say when Cloud Sync skips a contact whose SOA is in
 * the cloud. Microsoft documents the text for groups and users only.
 */
export const CLOUD_SYNC_CONTACT_SKIP_VARIANTS = [
  /** the group text with "contact": "As the SOA of this contact is in the cloud, this object will not sync." */
  'groupWording',
  /** "As the SOA of this object is in the cloud, this object will not sync." */
  'objectWording',
  /** the user text: "… skipped because the cloud is authoritative" */
  'userWording',
  /** a text and skip reason no public source shows (status skipped all the same) */
  'unrecognised',
] as const;
export type CloudSyncContactSkipVariant = (typeof CLOUD_SYNC_CONTACT_SKIP_VARIANTS)[number];

/**
 * The `objectTypeName` provisionOnDemand accepts for contacts and groups. Microsoft documents `user`
 * for AD → Entra ID only.
 */
export const CLOUD_SYNC_OBJECT_TYPE_NAME_VARIANTS = [
  /** the AD object class, lower-case like the documented `user`: `contact`, `group` */
  'adObjectClass',
  /** the Entra ID object type: `Contact`, `Group` */
  'entraObjectType',
  /** either spelling, any case */
  'either',
] as const;
export type CloudSyncObjectTypeNameVariant = (typeof CLOUD_SYNC_OBJECT_TYPE_NAME_VARIANTS)[number];

/**
 * The configuration's service principal `displayName`: the AD domain when made in the portal, or
 * the template's name ("it may be named something else", Microsoft says).
 */
export const CLOUD_SYNC_SP_NAME_VARIANTS = ['domain', 'appDisplayName'] as const;
export type CloudSyncServicePrincipalNameVariant = (typeof CLOUD_SYNC_SP_NAME_VARIANTS)[number];

/**
 * The configuration's service principal `applicationTemplateId`: Microsoft's example shows `null` (the
 * template id appears only among `servicePrincipalNames`); a tenant may show the template id.
 */
export const CLOUD_SYNC_APP_TEMPLATE_ID_VARIANTS = ['null', 'templateId'] as const;
export type CloudSyncApplicationTemplateIdVariant = (typeof CLOUD_SYNC_APP_TEMPLATE_ID_VARIANTS)[number];

/**
 * `schedule.state` of a paused job. Microsoft documents the status code `Paused` and the schedule states
 * Active / Disabled / Paused, not which schedule state a paused job shows.
 */
export const CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS = ['Paused', 'Disabled', 'Active'] as const;
export type CloudSyncPausedScheduleVariant = (typeof CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS)[number];

/** Whether provisionOnDemand still processes an object while its job is paused (not documented). */
export const CLOUD_SYNC_PAUSED_ON_DEMAND_VARIANTS = ['processes', 'refused'] as const;
export type CloudSyncPausedOnDemandVariant = (typeof CLOUD_SYNC_PAUSED_ON_DEMAND_VARIANTS)[number];

/**
 * A job in quarantine (docs/reference/cloud-sync.md#quarantine). Documented: `status.code` `Quarantine` with a
 * `synchronizationQuarantine` object in `status.quarantine`, and incremental cycles reduced to once a day. Not
 * documented: whether provisionOnDemand still processes an object meanwhile. `none`: no job is in quarantine;
 * `onDemandProcesses` / `onDemandRefused`: every Cloud Sync job is in quarantine from the moment the setting is made,
 * and provisionOnDemand processes the object / is refused with a 400.
 */
export const CLOUD_SYNC_QUARANTINE_VARIANTS = ['none', 'onDemandProcesses', 'onDemandRefused'] as const;
export type CloudSyncQuarantineVariant = (typeof CLOUD_SYNC_QUARANTINE_VARIANTS)[number];

/**
 * What `GET …/synchronization/secrets` answers. Microsoft documents only `PUT` (Add secrets); the lab answers a
 * GET with 405 (`notSupported`) or with the keys and every value withheld (`keysOnly`). Never a value.
 */
export const CLOUD_SYNC_SECRETS_READ_VARIANTS = ['notSupported', 'keysOnly'] as const;
export type CloudSyncSecretsReadVariant = (typeof CLOUD_SYNC_SECRETS_READ_VARIANTS)[number];

/**
 * Whether the job lists the domain among `synchronizationJobSettings` (`DomainFQDN`, as in Microsoft's example)
 * or only keeps it in the write-only secrets (`absent`).
 */
export const CLOUD_SYNC_JOB_DOMAIN_SETTING_VARIANTS = ['present', 'absent'] as const;
export type CloudSyncJobDomainSettingVariant = (typeof CLOUD_SYNC_JOB_DOMAIN_SETTING_VARIANTS)[number];

/**
 * How `$filter` on /auditLogs/provisioning compares strings. Microsoft says "the filters are all case
 * sensitive" without saying whether that covers the property names: `values` (string values compared exactly,
 * property names in any case), `valuesAndNames` (both exact), `insensitive` (as other directory filters).
 */
export const PROVISIONING_LOG_FILTER_CASE_VARIANTS = ['values', 'valuesAndNames', 'insensitive'] as const;
export type ProvisioningLogFilterCaseVariant = (typeof PROVISIONING_LOG_FILTER_CASE_VARIANTS)[number];

export const SKIP_TEXT = {
  /** ED how-to-group-source-of-authority-configure.md */
  group: 'As the SOA of this group is in the cloud, this object will not sync.',
  /** ED cloud-sync/how-provisioning-to-active-directory-works.md */
  user: 'Does not provision the user. Changes made directly in AD are skipped because the cloud is authoritative.',
} as const;

export function contactSkip(variant: CloudSyncContactSkipVariant): { text: string; reason: string } {
  switch (variant) {
    case 'groupWording':
      return { text: 'As the SOA of this contact is in the cloud, this object will not sync.', reason: 'CloudManaged' };
    case 'objectWording':
      return { text: 'As the SOA of this object is in the cloud, this object will not sync.', reason: 'CloudManaged' };
    case 'userWording':
      return {
        text: 'Does not provision the contact. Changes made directly in AD are skipped because the cloud is authoritative.',
        reason: 'CloudManaged',
      };
    case 'unrecognised':
      return { text: 'Entry processing was skipped by a synchronization policy.', reason: 'PolicySkip' };
  }
}

export function skipFor(
  kind: SyncedKind,
  contactVariant: CloudSyncContactSkipVariant,
): { text: string; reason: string } {
  if (kind === 'group') return { text: SKIP_TEXT.group, reason: 'CloudManaged' };
  if (kind === 'user') return { text: SKIP_TEXT.user, reason: 'CloudManaged' };
  return contactSkip(contactVariant);
}

/** Whether provisionOnDemand accepts `objectTypeName` for an AD object of this kind. */
export function objectTypeNameAccepted(
  kind: SyncedKind,
  name: string,
  variant: CloudSyncObjectTypeNameVariant,
): boolean {
  if (kind === 'user') return name === 'user';
  const ad = kind;
  const entra = kind === 'contact' ? 'Contact' : 'Group';
  switch (variant) {
    case 'adObjectClass':
      return name === ad;
    case 'entraObjectType':
      return name === entra;
    case 'either':
      return name.toLowerCase() === ad;
  }
}
