/**
 * The lab tenant's data model: directory objects, administrative units, role assignments,
 * delegated permission grants, audit entries, the write log and the lab settings.
 * Everything here is plain JSON so the whole state can be saved to the lab's state file.
 */
import type { SyncedKind } from '../ports';
import type {
  CloudSyncApplicationTemplateIdVariant,
  CloudSyncContactSkipVariant,
  CloudSyncJobDomainSettingVariant,
  CloudSyncObjectTypeNameVariant,
  CloudSyncPausedOnDemandVariant,
  CloudSyncPausedScheduleVariant,
  CloudSyncQuarantineVariant,
  CloudSyncSecretsReadVariant,
  CloudSyncServicePrincipalNameVariant,
  CloudSyncState,
  ProvisioningLogFilterCaseVariant,
} from '../cloudsync/model';

export type ObjectKind = SyncedKind;

/**
 * Where an object stands in the SOA state table (docs/reference/graph-and-identity.md#soa-state-table):
 * - `none`: synced (false,true), transferred (true,null) or cloud-native (false,null, no anchor)
 * - `rolledBack`: isCloudManaged set back to false, the sync engine has not seen it yet (false,null)
 * - `awaitingExportConfirmation`: the first cycle after the rollback exported it; the next one confirms the takeover
 */
export type TakeoverState = 'none' | 'rolledBack' | 'awaitingExportConfirmation';

export interface DirObject {
  id: string;
  kind: ObjectKind;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mailNickname: string | null;
  companyName: string | null;
  department: string | null;
  jobTitle: string | null;
  description: string | null;
  /** users only */
  userPrincipalName: string | null;
  /** objectGUID (base64) of the AD object this cloud object is joined to; null for cloud-native */
  anchor: string | null;
  onPremisesDistinguishedName: string | null;
  onPremisesSyncEnabled: boolean | null;
  onPremisesLastSyncDateTime: string | null;
  isCloudManaged: boolean;
  takeover: TakeoverState;
  createdDateTime: string;
  /** groups only: member object ids (contacts, users, groups) */
  members: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  /** groups only: a role-assignable group (directory roles can be assigned to it) */
  isAssignableToRole?: boolean;
}

export interface AdministrativeUnit {
  id: string;
  displayName: string;
  description: string;
  members: string[];
}

export interface RoleAssignment {
  id: string;
  /** a user, or a role-assignable group (its members hold the role transitively) */
  principalId: string;
  roleDefinitionId: string;
  /** `/` tenant-wide or `/administrativeUnits/{id}` */
  directoryScopeId: string;
}

export interface PermissionGrant {
  id: string;
  /** service principal object id of the lab app */
  clientId: string;
  consentType: 'Principal' | 'AllPrincipals';
  principalId: string | null;
  /** service principal object id of Microsoft Graph */
  resourceId: string;
  /** space-separated delegated scopes */
  scope: string;
}

export interface AdminRecord {
  oid: string;
  upn: string;
  displayName: string;
  note: string;
}

export interface AuditEntry {
  id: string;
  category: string;
  correlationId: string;
  result: 'success' | 'failure';
  resultReason: string;
  activityDisplayName: string;
  activityDateTime: string;
  loggedByService: string;
  operationType: string;
  initiatedBy: {
    user: { id: string; displayName: string; userPrincipalName: string; ipAddress: string } | null;
    app: { appId: string; displayName: string } | null;
  };
  targetResources: {
    id: string;
    displayName: string;
    type: string;
    userPrincipalName: string | null;
    modifiedProperties: { displayName: string; oldValue: string; newValue: string }[];
  }[];
  additionalDetails: { key: string; value: string }[];
}

export interface WriteLogEntry {
  seq: number;
  at: string;
  upn: string | null;
  oid: string | null;
  appId: string | null;
  method: string;
  /** path including the version segment, e.g. /v1.0/contacts/{id}/onPremisesSyncBehavior */
  path: string;
  objectId: string | null;
  body: unknown;
  requestId: string;
  clientRequestId: string | null;
  /** id of the $batch step when the write came inside a batch */
  batchStepId: string | null;
}

export interface RefreshTokenRecord {
  oid: string;
  clientId: string;
  /** scopes as requested (granted subset), in the caller's spelling */
  scopes: string[];
  expiresAt: number;
  /** lab clock when it was issued (compared with the user's sign-in sessions valid-from time) */
  issuedAt?: number;
}

export interface OnPremSyncFeatures {
  blockCloudObjectTakeoverThroughHardMatchEnabled: boolean;
  blockSoftMatchEnabled: boolean;
  passwordSyncEnabled: boolean;
  softMatchOnUpnEnabled: boolean;
}

export interface TenantState {
  tenantId: string;
  tenantDomain: string;
  forest: string;
  clientId: string;
  appServicePrincipalId: string;
  graphServicePrincipalId: string;
  onPremisesSynchronizationId: string;
  onPremisesSyncFeatures: OnPremSyncFeatures;
  synchronizationClientVersion: string;
  objects: Record<string, DirObject>;
  administrativeUnits: AdministrativeUnit[];
  /** active role assignments (direct, or to a role-assignable group) */
  roleAssignments: RoleAssignment[];
  /** PIM-eligible assignments: not active until activated, so they grant nothing */
  roleEligibilities?: RoleAssignment[];
  grants: PermissionGrant[];
  admins: AdminRecord[];
  audit: AuditEntry[];
  writeLog: WriteLogEntry[];
  refreshTokens: Record<string, RefreshTokenRecord>;
  /**
   * Per user (oid): refresh tokens issued before this lab time are revoked (Entra's
   * `signInSessionsValidFromDateTime`, reset by revokeSignInSessions).
   */
  signInSessionsValidFrom?: Record<string, number>;
  /** Cloud Sync configurations and their provisioning log (seed scenario `bothEngines`; absent otherwise) */
  cloudSync?: CloudSyncState;
}

export interface LabSettings {
  /** audit entries become visible this long after the change */
  auditIngestionMs: number;
  /**
   * Access/id token lifetime, seconds: each token lives `tokenLifetimeSeconds` plus a random share of
   * `tokenLifetimeSpreadSeconds` (Entra's default: a random 60–90 minutes per token,
   * docs/reference/token-lifetime.md). Setting `tokenLifetimeSeconds` alone fixes the lifetime (spread 0).
   */
  tokenLifetimeSeconds: number;
  tokenLifetimeSpreadSeconds: number;
  refreshTokenLifetimeSeconds: number;
  /** multiplies every throttling bucket's capacity (refill period unchanged) */
  throttleScale: number;
  /** latency added to every Graph and identity response */
  latencyMs: number;
  syncCycleMs: number;
  event6956Provider: string;
  deviceCodeIntervalSeconds: number;
  deviceCodeLifetimeSeconds: number;
  /** activityDisplayName of the transfer entry (the docs spell it two ways, docs/reference/graph-and-identity.md#audit-activity-names) */
  auditChangeActivityName: string;
  auditUndoActivityName: string;
  connectSyncVersion: string;
  cloudSyncAgentVersion: string | null;
  stagingMode: boolean;
  /** default page size of collection GETs without $top */
  defaultPageSize: number;
  // ---- unknowns: each plausible variant is a named setting (docs/reference/graph-and-identity.md#unknowns-as-lab-variants) ----
  /** PATCH /contacts/{id} on a synced contact: which refusal Graph sends [U] */
  syncedContactPatch: SyncedContactPatchVariant;
  /** ... and on a synced mail-enabled contact ("the error message differs", the Entra guide says) [U] */
  mailEnabledContactPatch: MailEnabledContactPatchVariant;
  /** the delegated scope PATCH /contacts/{id} needs [U] */
  contactPatchScope: ContactPatchScopeVariant;
  /** outer status of a $batch whose inner requests were throttled: 200 (json-batching page) or 424 (throttling page) */
  batchThrottledOuterStatus: 200 | 424;
  /** whether contacts can be administrative-unit members [U] */
  contactsInAdministrativeUnits: boolean;
  /** writes per second other apps spend from the tenant-wide budget (18,000 / 5 min) */
  otherAppsWritesPerSecond: number;
  // ---- Cloud Sync (docs/reference/cloud-sync.md) ----
  /** the Cloud Sync job's cycle interval (documented: about 2 minutes) */
  cloudSyncCycleMs: number;
  /** provisioning-log entries become visible this long after the change [U] */
  provisioningLogIngestionMs: number;
  /** whether provisionOnDemand runs also appear in the provisioning log [U] */
  provisionOnDemandLogged: boolean;
  /** the tenant holds Entra ID P1 or P2 (the provisioning log needs it) */
  entraIdPremium: boolean;
  /** skip text and reason for a cloud-managed contact [U] */
  cloudSyncContactSkip: CloudSyncContactSkipVariant;
  /** objectTypeName provisionOnDemand accepts for contacts and groups [U] */
  cloudSyncObjectTypeName: CloudSyncObjectTypeNameVariant;
  /** displayName of the configuration's service principal [U] */
  cloudSyncServicePrincipalName: CloudSyncServicePrincipalNameVariant;
  /** applicationTemplateId of the configuration's service principal [U] */
  cloudSyncApplicationTemplateId: CloudSyncApplicationTemplateIdVariant;
  /** schedule.state of a paused job [U] */
  cloudSyncPausedSchedule: CloudSyncPausedScheduleVariant;
  /** whether provisionOnDemand processes an object while its job is paused [U] */
  cloudSyncPausedOnDemand: CloudSyncPausedOnDemandVariant;
  /** every Cloud Sync job in quarantine, and what provisionOnDemand does then [U] (`none`: no quarantine) */
  cloudSyncQuarantine: CloudSyncQuarantineVariant;
  /** what GET …/synchronization/secrets answers (only PUT is documented) [U] */
  cloudSyncSecretsRead: CloudSyncSecretsReadVariant;
  /** whether the job's synchronizationJobSettings carry DomainFQDN [U] */
  cloudSyncJobDomainSetting: CloudSyncJobDomainSettingVariant;
  /** what "the filters are all case sensitive" covers on /auditLogs/provisioning [U] */
  provisioningLogFilterCase: ProvisioningLogFilterCaseVariant;
}

export const SYNCED_CONTACT_PATCH_VARIANTS = [
  /** 400 Request_BadRequest with the text Graph sends for users and groups mastered on-premises */
  'documentedBadRequest',
  /** 400 Request_BadRequest with a text no public source shows */
  'unrecognisedBadRequest',
  /** 400 with another error code and text */
  'otherCodeBadRequest',
  /** 403 Authorization_RequestDenied even for a role that may update contacts */
  'forbidden',
] as const;
export type SyncedContactPatchVariant = (typeof SYNCED_CONTACT_PATCH_VARIANTS)[number];

export const MAIL_ENABLED_CONTACT_PATCH_VARIANTS = [
  /** the same refusal as any synced contact */
  'sameAsSynced',
  /** 400 Request_BadRequest "…objects that have originated within an external service." */
  'externalService',
  /** 400 Request_BadRequest with a text no public source shows */
  'unrecognisedBadRequest',
] as const;
export type MailEnabledContactPatchVariant = (typeof MAIL_ENABLED_CONTACT_PATCH_VARIANTS)[number];

export const CONTACT_PATCH_SCOPE_VARIANTS = [
  'Directory.ReadWrite.All',
  /** OrgContact.ReadWrite.All (third-party notes only) or Directory.ReadWrite.All */
  'OrgContact.ReadWrite.All',
  /** only Directory.AccessAsUser.All */
  'Directory.AccessAsUser.All',
] as const;
export type ContactPatchScopeVariant = (typeof CONTACT_PATCH_SCOPE_VARIANTS)[number];

export type LabSpeed = 'fast' | 'realistic';

export function defaultSettings(speed: LabSpeed): LabSettings {
  const fast = speed === 'fast';
  return {
    auditIngestionMs: fast ? 2_000 : 150_000,
    tokenLifetimeSeconds: 3_600,
    tokenLifetimeSpreadSeconds: 1_800,
    refreshTokenLifetimeSeconds: 90 * 24 * 3_600,
    throttleScale: 1,
    latencyMs: 0,
    syncCycleMs: fast ? 1_500 : 20_000,
    event6956Provider: 'ADSync',
    deviceCodeIntervalSeconds: fast ? 1 : 5,
    deviceCodeLifetimeSeconds: 900,
    auditChangeActivityName: 'Change Source of Authority from AD to cloud',
    auditUndoActivityName: 'Undo changes to Source of Authority from AD DS to cloud',
    connectSyncVersion: '2.5.79.0',
    cloudSyncAgentVersion: null,
    stagingMode: false,
    defaultPageSize: 100,
    syncedContactPatch: 'documentedBadRequest',
    mailEnabledContactPatch: 'externalService',
    contactPatchScope: 'Directory.ReadWrite.All',
    batchThrottledOuterStatus: 200,
    contactsInAdministrativeUnits: true,
    otherAppsWritesPerSecond: 0,
    cloudSyncCycleMs: fast ? 2_000 : 120_000,
    provisioningLogIngestionMs: fast ? 500 : 30_000,
    provisionOnDemandLogged: true,
    entraIdPremium: true,
    cloudSyncContactSkip: 'groupWording',
    cloudSyncObjectTypeName: 'adObjectClass',
    cloudSyncServicePrincipalName: 'domain',
    cloudSyncApplicationTemplateId: 'null',
    cloudSyncPausedSchedule: 'Paused',
    cloudSyncPausedOnDemand: 'processes',
    cloudSyncQuarantine: 'none',
    cloudSyncSecretsRead: 'notSupported',
    cloudSyncJobDomainSetting: 'present',
    provisioningLogFilterCase: 'values',
  };
}

/** Built-in role template ids (same in every tenant). */
export const ROLE = {
  hybridAdministrator: '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2',
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  reportsReader: '4a5d8f65-41da-4de4-8968-e035b65339cf',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  cloudApplicationAdministrator: '158c047a-c907-4556-b7ef-446551a6b5f7',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  intuneAdministrator: '3a2c62db-5318-420d-8d74-23affee5d9d5',
  partnerTier1Support: '4ba39ca4-527c-499a-b93d-d9b492c50246',
  partnerTier2Support: 'e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8',
  securityOperator: '5f2222b1-57c3-48ba-8ad5-d4759f1fde6f',
} as const;

export const ROLE_NAMES: Record<string, string> = {
  [ROLE.hybridAdministrator]: 'Hybrid Identity Administrator',
  [ROLE.globalAdministrator]: 'Global Administrator',
  [ROLE.reportsReader]: 'Reports Reader',
  [ROLE.securityReader]: 'Security Reader',
  [ROLE.securityAdministrator]: 'Security Administrator',
  [ROLE.globalReader]: 'Global Reader',
  [ROLE.privilegedRoleAdministrator]: 'Privileged Role Administrator',
  [ROLE.applicationAdministrator]: 'Application Administrator',
  [ROLE.cloudApplicationAdministrator]: 'Cloud Application Administrator',
  [ROLE.userAdministrator]: 'User Administrator',
  [ROLE.intuneAdministrator]: 'Intune Administrator',
  [ROLE.partnerTier1Support]: 'Partner Tier1 Support',
  [ROLE.partnerTier2Support]: 'Partner Tier2 Support',
  [ROLE.securityOperator]: 'Security Operator',
};

/**
 * Which built-in roles hold each role action the lab enforces, keyed by the action as the Entra
 * permissions reference names it (docs/reference/graph-and-identity.md#role-actions). The lab
 * checks actions, never role names, so a role change is one line here.
 */
export const ROLE_ACTIONS = {
  'microsoft.directory/contacts/basic/update': [
    ROLE.userAdministrator,
    ROLE.intuneAdministrator,
    ROLE.partnerTier1Support,
    ROLE.partnerTier2Support,
    ROLE.globalAdministrator,
  ],
  /** read and update onPremisesSyncBehavior (the Graph pages name Hybrid Administrator as least privileged; action name unpublished) */
  'onPremisesSyncBehavior/readWrite': [ROLE.hybridAdministrator, ROLE.globalAdministrator],
  'microsoft.directory/auditLogs/allProperties/read': [
    ROLE.reportsReader,
    ROLE.securityReader,
    ROLE.securityAdministrator,
    ROLE.globalReader,
    ROLE.hybridAdministrator,
    ROLE.globalAdministrator,
  ],
  'microsoft.directory/administrativeUnits/members/update': [
    ROLE.privilegedRoleAdministrator,
    ROLE.globalAdministrator,
  ],
  'microsoft.directory/onPremisesSynchronization/standard/update': [ROLE.globalAdministrator, ROLE.hybridAdministrator],
  /** read a service principal's synchronization jobs and schema (docs/reference/cloud-sync.md#permissions-and-roles) */
  'microsoft.directory/servicePrincipals/synchronization/standard/read': [
    ROLE.applicationAdministrator,
    ROLE.cloudApplicationAdministrator,
    ROLE.hybridAdministrator,
    ROLE.globalAdministrator,
  ],
  /** provisionOnDemand, start, pause (the same roles) */
  'microsoft.directory/servicePrincipals/synchronizationJobs/manage': [
    ROLE.applicationAdministrator,
    ROLE.cloudApplicationAdministrator,
    ROLE.hybridAdministrator,
    ROLE.globalAdministrator,
  ],
  /** GET /auditLogs/provisioning (Hybrid Identity Administrator: inferred from its role permissions) */
  'microsoft.directory/provisioningLogs/allProperties/read': [
    ROLE.reportsReader,
    ROLE.securityReader,
    ROLE.securityAdministrator,
    ROLE.securityOperator,
    ROLE.globalReader,
    ROLE.applicationAdministrator,
    ROLE.cloudApplicationAdministrator,
    ROLE.hybridAdministrator,
    ROLE.globalAdministrator,
  ],
  'microsoft.directory/servicePrincipals/managePermissionGrantsForAll': [
    ROLE.globalAdministrator,
    ROLE.applicationAdministrator,
    ROLE.cloudApplicationAdministrator,
  ],
} as const satisfies Record<string, readonly string[]>;
export type RoleAction = keyof typeof ROLE_ACTIONS;

export const AUDIT_READER_ROLES: readonly string[] = ROLE_ACTIONS['microsoft.directory/auditLogs/allProperties/read'];

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Scopes that never need consent (OpenID Connect). */
export const OIDC_SCOPES: readonly string[] = ['openid', 'profile', 'offline_access', 'email'];

/** Everything the lab app registration lists as delegated Graph permissions. */
export const LAB_APP_SCOPES: readonly string[] = [
  'User.Read',
  'User.Read.All',
  'Contacts-OnPremisesSyncBehavior.ReadWrite.All',
  'User-OnPremisesSyncBehavior.ReadWrite.All',
  'Group-OnPremisesSyncBehavior.ReadWrite.All',
  'OrgContact.Read.All',
  'Group.Read.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'OrgContact.ReadWrite.All',
  'Directory.AccessAsUser.All',
  'AuditLog.Read.All',
  'RoleManagement.Read.Directory',
  'RoleEligibilitySchedule.Read.Directory',
  'AdministrativeUnit.Read.All',
  'AdministrativeUnit.ReadWrite.All',
  'OnPremDirectorySynchronization.Read.All',
  'OnPremDirectorySynchronization.ReadWrite.All',
  'DelegatedPermissionGrant.Read.All',
  'Application.Read.All',
  'Synchronization.Read.All',
  'Synchronization.ReadWrite.All',
];

/** Who made a request: the signed-in admin and the app they used. */
export interface Actor {
  oid: string;
  upn: string;
  name: string;
  appId: string;
}
