/**
 * What Graph shows of a Cloud Sync configuration: the `AD2AADProvisioning` job
 * (`synchronizationJob`, with DomainFQDN in `synchronizationJobSettings`) and its
 * `synchronizationSchema` (directories, one rule, object mappings for users, inetOrgPersons,
 * groups and contacts). docs/reference/cloud-sync.md#finding-the-configuration
 */
import type { SyncedKind } from '../ports';
import {
  AD2AAD_TEMPLATE_ID,
  type CloudSyncConfiguration,
  type CloudSyncJobDomainSettingVariant,
  type CloudSyncPausedScheduleVariant,
} from './model';

/** One attribute flow AD → Entra ID: AD attribute (source) and Entra ID property (target). */
export interface CloudSyncFlow {
  source: 'displayName' | 'mail' | 'description' | 'givenName' | 'sn' | 'company' | 'department';
  target: 'displayName' | 'mail' | 'description' | 'givenName' | 'surname' | 'companyName' | 'department';
}

const CONTACT_FLOWS: readonly CloudSyncFlow[] = [
  { source: 'displayName', target: 'displayName' },
  { source: 'mail', target: 'mail' },
  { source: 'givenName', target: 'givenName' },
  { source: 'sn', target: 'surname' },
  { source: 'company', target: 'companyName' },
  { source: 'department', target: 'department' },
];

/**
 * The direct flows of the lab's default schema, per AD object class. Contacts do not flow
 * `description` (as with Connect Sync without the SharePoint attribute set [U for Cloud Sync]).
 */
export const CLOUD_SYNC_FLOWS: Record<SyncedKind, readonly CloudSyncFlow[]> = {
  contact: CONTACT_FLOWS,
  // a user flows what a contact flows, and description
  user: [...CONTACT_FLOWS, { source: 'description', target: 'description' }],
  group: [
    { source: 'displayName', target: 'displayName' },
    { source: 'mail', target: 'mail' },
    { source: 'description', target: 'description' },
  ],
};

/** ISO 8601 duration of a cycle interval (the documented default is PT2M). */
export function isoDuration(ms: number): string {
  const totalSeconds = Math.max(1, Math.round(ms / 1000));
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 ? `${s}S` : ''}`;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The unknowns the job's shape depends on (docs/reference/cloud-sync.md#unknowns-as-lab-variants). */
export interface JobViewVariants {
  pausedSchedule: CloudSyncPausedScheduleVariant;
  domainSetting: CloudSyncJobDomainSettingVariant;
  /** `status.quarantine` (a synchronizationQuarantine) when the job is in quarantine, else null */
  quarantine?: Record<string, unknown> | null;
}

export function jobView(
  cfg: CloudSyncConfiguration,
  cycleMs: number,
  counts: Record<SyncedKind, number>,
  variants: JobViewVariants = { pausedSchedule: 'Paused', domainSetting: 'present' },
): Record<string, unknown> {
  const paused = cfg.paused === true;
  // a paused job reports Paused; otherwise a job in quarantine reports Quarantine (docs/reference/cloud-sync.md#quarantine)
  const quarantine = paused ? null : (variants.quarantine ?? null);
  const exec =
    cfg.lastExecution === null
      ? null
      : {
          activityIdentifier: null,
          countEntitled: 0,
          countEntitledForProvisioning: 0,
          countEscrowed: cfg.lastExecution.countEscrowed,
          countEscrowedRaw: cfg.lastExecution.countEscrowed,
          countExported: cfg.lastExecution.countExported,
          countExports: cfg.lastExecution.countExported,
          countImported: cfg.lastExecution.countImported,
          countImportedDeltas: cfg.lastExecution.countImported,
          countImportedReferenceDeltas: 0,
          state: 'Succeeded',
          error: null,
          timeBegan: cfg.lastExecution.timeBegan,
          timeEnded: cfg.lastExecution.timeEnded,
        };
  const domainSetting = {
    DomainFQDN: cfg.domain,
    DomainNetBios: cfg.domainNetBios,
    ForestFQDN: cfg.forest,
    ForestNetBios: cfg.forestNetBios,
  };
  return {
    id: cfg.jobId,
    templateId: AD2AAD_TEMPLATE_ID,
    schedule: {
      expiration: null,
      interval: isoDuration(cycleMs),
      state: paused ? variants.pausedSchedule : 'Active',
    },
    status: {
      code: paused ? 'Paused' : quarantine ? 'Quarantine' : 'Active',
      countSuccessiveCompleteFailures: 0,
      escrowsPruned: false,
      lastExecution: exec,
      lastSuccessfulExecution: exec,
      lastSuccessfulExecutionWithExports: exec !== null && exec.countExported > 0 ? exec : null,
      quarantine,
      steadyStateFirstAchievedTime: exec?.timeEnded ?? ZERO_TIME,
      steadyStateLastAchievedTime: exec?.timeEnded ?? ZERO_TIME,
      troubleshootingUrl: '',
      progress: [],
      synchronizedEntryCountByType: [
        { key: 'contact to Contact', value: counts.contact },
        { key: 'group to Group', value: counts.group },
        { key: 'user to User', value: counts.user },
      ],
    },
    synchronizationJobSettings:
      variants.domainSetting === 'present'
        ? [
            { name: 'Domain', value: JSON.stringify(domainSetting) },
            { name: 'DomainFQDN', value: cfg.domain },
            { name: 'DomainNetBios', value: cfg.domainNetBios },
            { name: 'ForestFQDN', value: cfg.forest },
            { name: 'ForestNetBios', value: cfg.forestNetBios },
            { name: 'QuarantineTooManyDeletesThreshold', value: '500' },
          ]
        : [{ name: 'QuarantineTooManyDeletesThreshold', value: '500' }],
  };
}

const MAPPING_NAMES: { kind: SyncedKind; adClass: string; name: string; target: string }[] = [
  { kind: 'user', adClass: 'user', name: 'Provision Active Directory users', target: 'User' },
  { kind: 'user', adClass: 'inetOrgPerson', name: 'Provision Active Directory inetOrgPersons', target: 'User' },
  { kind: 'group', adClass: 'group', name: 'Provision Active Directory groups', target: 'Group' },
  { kind: 'contact', adClass: 'contact', name: 'Provision Active Directory contacts', target: 'Contact' },
];

function attributeMapping(f: CloudSyncFlow): Record<string, unknown> {
  return {
    defaultValue: null,
    exportMissingReferences: false,
    flowBehavior: 'FlowWhenChanged',
    flowType: 'Always',
    matchingPriority: 0,
    targetAttributeName: f.target,
    source: { expression: `[${f.source}]`, name: f.source, type: 'Attribute', parameters: [] },
  };
}

function directoryObjects(names: { name: string; attrs: readonly string[] }[]): Record<string, unknown>[] {
  return names.map((o) => ({
    name: o.name,
    attributes: o.attrs.map((a) => ({ name: a, type: 'String', multivalued: false, anchor: false })),
    metadata: [],
    supportedApis: [],
  }));
}

export function schemaView(cfg: CloudSyncConfiguration): Record<string, unknown> {
  const adAttrs = (k: SyncedKind): string[] => CLOUD_SYNC_FLOWS[k].map((f) => f.source);
  const entraAttrs = (k: SyncedKind): string[] => CLOUD_SYNC_FLOWS[k].map((f) => f.target);
  return {
    id: AD2AAD_TEMPLATE_ID,
    version: 'Date:2026-01-01T00:00:00.0000000Z~###~Version:1',
    directories: [
      {
        id: `ActiveDirectory.${cfg.domain}`,
        name: 'Active Directory',
        discoverabilities: 'AttributeNames, AttributeDataTypes',
        discoveryDateTime: null,
        readOnly: false,
        version: null,
        objects: directoryObjects([
          { name: 'user', attrs: ['objectGUID', 'distinguishedName', ...adAttrs('user')] },
          { name: 'inetOrgPerson', attrs: ['objectGUID', 'distinguishedName', ...adAttrs('user')] },
          { name: 'group', attrs: ['objectGUID', 'distinguishedName', ...adAttrs('group')] },
          { name: 'contact', attrs: ['objectGUID', 'distinguishedName', ...adAttrs('contact')] },
        ]),
      },
      {
        id: 'AzureActiveDirectory',
        name: 'Azure Active Directory',
        discoverabilities: 'None',
        discoveryDateTime: null,
        readOnly: false,
        version: null,
        objects: directoryObjects([
          { name: 'User', attrs: ['sourceAnchorBinary', 'onPremisesDistinguishedName', ...entraAttrs('user')] },
          { name: 'Group', attrs: ['sourceAnchorBinary', 'onPremisesDistinguishedName', ...entraAttrs('group')] },
          { name: 'Contact', attrs: ['sourceAnchorBinary', 'onPremisesDistinguishedName', ...entraAttrs('contact')] },
        ]),
      },
    ],
    synchronizationRules: [
      {
        id: cfg.ruleId,
        name: AD2AAD_TEMPLATE_ID,
        sourceDirectoryName: 'Active Directory',
        targetDirectoryName: 'Azure Active Directory',
        editable: true,
        priority: 1,
        containerFilter: { includedContainers: [] },
        groupFilter: { includedGroups: [] },
        metadata: [],
        objectMappings: MAPPING_NAMES.map((m) => ({
          enabled: true,
          flowTypes: 'Add, Update, Delete',
          name: m.name,
          sourceObjectName: m.adClass,
          targetObjectName: m.target,
          metadata: [],
          scope: null,
          attributeMappings: [
            {
              defaultValue: null,
              exportMissingReferences: false,
              flowBehavior: 'FlowWhenChanged',
              flowType: 'Always',
              matchingPriority: 1,
              targetAttributeName: 'sourceAnchorBinary',
              source: { expression: '[objectGUID]', name: 'objectGUID', type: 'Attribute', parameters: [] },
            },
            ...CLOUD_SYNC_FLOWS[m.kind].map(attributeMapping),
          ],
        })),
      },
    ],
  };
}
