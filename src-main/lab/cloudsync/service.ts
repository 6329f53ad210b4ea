/**
 * The Cloud Sync provisioning service of the lab tenant: for each configuration it reads the AD
 * domain through the provisioning agent (an `OnPremServer` port), runs a cycle every
 * `cloudSyncCycleMs` of lab time, writes a provisioning-log entry for each object it processed,
 * and answers provisionOnDemand. An object whose SOA is in the cloud is skipped with the SOA
 * reason; a rolled-back one is processed again and taken back (onPremisesSyncEnabled true, AD values
 * win). Cycles are due on the lab clock and run when the tenant is next asked (`catchUp`), so moving
 * the clock moves the cycles. docs/reference/cloud-sync.md
 */
import { randomUUID } from 'node:crypto';
import type { ExportedAttributes, LabClock, OnPremAdObject, SyncedKind } from '../ports';
import type { Actor, DirObject, LabSettings, TenantState } from '../tenant/model';
import {
  objectTypeNameAccepted,
  skipFor,
  type CloudSyncConfiguration,
  type CloudSyncState,
  type ProvisioningAction,
  type ProvisioningLogEntry,
  type ProvisioningStatus,
  type ProvisioningStep,
} from './model';
import { CLOUD_SYNC_FLOWS } from './schema';

/** How the provisioning agent reads AD (implemented by the lab's on-premises server). */
export interface CloudSyncAgentPort {
  adObjectsUnder(baseDn: string): OnPremAdObject[];
}

/** At most this many due cycles run at one catch-up; the rest are empty by construction (nothing left pending). */
const MAX_CYCLES_PER_CATCH_UP = 3;

/** A job in quarantine runs its incremental cycles once a day (docs/reference/cloud-sync.md#quarantine). */
const QUARANTINE_CYCLE_MS = 24 * 60 * 60 * 1000;

/** The lab's quarantine cause: the agent's AD credentials (a code Cloud Sync's troubleshooting guide names). */
const QUARANTINE_ERROR = {
  code: 'HybridSynchronizationActiveDirectoryInvalidCredentials',
  message:
    'The provisioning agent could not sign in to Active Directory with its account. Check the gMSA or the account the agent uses.',
  tenantActionable: true,
};

const ENTRA_TYPE: Record<SyncedKind, string> = { contact: 'Contact', user: 'User', group: 'Group' };

export interface OnDemandSubject {
  objectId: string;
  objectTypeName: string;
}

export type OnDemandOutcome =
  { ok: true; key: string; value: string } | { ok: false; status: number; code: string; message: string };

interface Processed {
  status: ProvisioningStatus;
  action: ProvisioningAction;
  steps: ProvisioningStep[];
  modified: { displayName: string; oldValue: string | null; newValue: string | null }[];
  /** skip reason code and text, when skipped */
  skip: { reason: string; text: string } | null;
  changeId: string;
  startMs: number;
}

function adAttrsToExport(ad: OnPremAdObject): ExportedAttributes {
  const flows = CLOUD_SYNC_FLOWS[ad.kind];
  const out: ExportedAttributes = {
    displayName: ad.attrs.displayName ?? '',
    distinguishedName: ad.dn,
  };
  for (const f of flows) {
    const v = ad.attrs[f.source];
    if (f.target === 'displayName') out.displayName = v ?? '';
    else out[f.target] = v;
  }
  return out;
}

function cloudValue(o: DirObject, target: (typeof CLOUD_SYNC_FLOWS)[SyncedKind][number]['target']): string | null {
  return o[target];
}

/**
 * What the provisioning service needs from the lab tenant. A port rather than the `Tenant` class, so that the
 * tenant can hold the service without the two modules importing each other.
 */
export interface CloudSyncTenant {
  readonly state: TenantState;
  readonly settings: LabSettings;
  readonly clock: LabClock;
  byAnchor(kind: SyncedKind, anchor: string): DirObject | undefined;
  applyAttrs(o: DirObject, attrs: ExportedAttributes): void;
}

export class CloudSyncService {
  constructor(
    private readonly tenant: CloudSyncTenant,
    private readonly agent: CloudSyncAgentPort,
  ) {}

  private get state(): CloudSyncState | undefined {
    return this.tenant.state.cloudSync;
  }

  configurations(): CloudSyncConfiguration[] {
    return this.state?.configurations ?? [];
  }

  configurationBySp(servicePrincipalId: string): CloudSyncConfiguration | undefined {
    return this.configurations().find((c) => c.servicePrincipalId.toLowerCase() === servicePrincipalId.toLowerCase());
  }

  /** Entries visible to Graph (ingestion delay applied at read time). */
  visibleLog(): ProvisioningLogEntry[] {
    const now = this.tenant.clock.now();
    const delay = this.tenant.settings.provisioningLogIngestionMs;
    return (this.state?.log ?? []).filter((e) => Date.parse(e.activityDateTime) + delay <= now);
  }

  /** Objects the configuration provisions, by kind (synchronizedEntryCountByType). */
  counts(cfg: CloudSyncConfiguration): Record<SyncedKind, number> {
    const out: Record<SyncedKind, number> = { contact: 0, user: 0, group: 0 };
    for (const ad of this.agent.adObjectsUnder(cfg.domainDn))
      if (this.tenant.byAnchor(ad.kind, ad.anchor)) out[ad.kind]++;
    return out;
  }

  // ---- cycles -----------------------------------------------------------------------------------

  /** The seeded objects count as processed (once per configuration; runs when the service is built). */
  takeBaseline(): void {
    for (const cfg of this.configurations()) {
      if (cfg.baselineTaken) continue;
      for (const ad of this.agent.adObjectsUnder(cfg.domainDn)) cfg.processedUsn[ad.anchor] = ad.uSNChanged;
      cfg.baselineTaken = true;
      cfg.nextCycleAtMs = this.tenant.clock.now() + Math.max(1, this.tenant.settings.cloudSyncCycleMs);
    }
  }

  /** Run the cycles that are due on the lab clock (at most the last few; earlier ones would find nothing left). */
  catchUp(): void {
    this.takeBaseline();
    this.applyQuarantine();
    const now = this.tenant.clock.now();
    for (const cfg of this.configurations()) {
      const interval = this.intervalOf(cfg);
      // a paused job runs no cycle; `start` or `restart` schedules the next one
      if (cfg.paused === true || cfg.nextCycleAtMs > now) continue;
      const due = Math.floor((now - cfg.nextCycleAtMs) / interval) + 1;
      const skipped = Math.max(0, due - MAX_CYCLES_PER_CATCH_UP);
      let at = cfg.nextCycleAtMs + skipped * interval;
      for (let k = skipped; k < due; k++, at += interval) this.runCycle(cfg, at);
      cfg.cyclesRun += due;
      cfg.nextCycleAtMs = at;
    }
  }

  /** A job in quarantine cycles once a day; otherwise every `cloudSyncCycleMs`. */
  private intervalOf(cfg: CloudSyncConfiguration): number {
    return cfg.quarantineBeganMs !== undefined
      ? QUARANTINE_CYCLE_MS
      : Math.max(1, this.tenant.settings.cloudSyncCycleMs);
  }

  // ---- quarantine (docs/reference/cloud-sync.md#quarantine) ---------------------------------------

  /**
   * Follow the `cloudSyncQuarantine` setting: a job that goes into quarantine now has its next cycle one day away; a
   * job that leaves it (the cause fixed: the setting back to `none`) has its next cycle one normal interval away.
   */
  applyQuarantine(): void {
    const on = this.tenant.settings.cloudSyncQuarantine !== 'none';
    const now = this.tenant.clock.now();
    for (const cfg of this.configurations()) {
      if (on && cfg.quarantineBeganMs === undefined) {
        cfg.quarantineBeganMs = now;
        cfg.nextCycleAtMs = now + QUARANTINE_CYCLE_MS;
      } else if (!on && cfg.quarantineBeganMs !== undefined) {
        delete cfg.quarantineBeganMs;
        cfg.nextCycleAtMs = now + Math.max(1, this.tenant.settings.cloudSyncCycleMs);
      }
    }
  }

  /** `status.quarantine` of the job (a synchronizationQuarantine), or null when it is not in quarantine. */
  quarantineView(cfg: CloudSyncConfiguration): Record<string, unknown> | null {
    this.applyQuarantine();
    if (cfg.quarantineBeganMs === undefined) return null;
    const began = new Date(cfg.quarantineBeganMs).toISOString();
    return {
      currentBegan: began,
      nextAttempt: new Date(cfg.nextCycleAtMs).toISOString(),
      reason: 'EncounteredQuarantineException',
      seriesBegan: began,
      seriesCount: 1,
      error: QUARANTINE_ERROR,
    };
  }

  // ---- pause, start, restart (docs/reference/cloud-sync.md#pause-start-and-restart) ----------------

  /** `POST …/pause`: cycles stop; what the service has processed is kept. */
  pause(cfg: CloudSyncConfiguration): void {
    this.catchUp();
    cfg.paused = true;
  }

  /**
   * `POST …/start`: a paused job continues where it stopped (changes made meanwhile are processed at the next
   * cycle); on a running job it changes nothing (Microsoft: use it only for a paused or quarantined job).
   */
  start(cfg: CloudSyncConfiguration): void {
    this.catchUp();
    if (cfg.paused !== true) return;
    cfg.paused = false;
    cfg.nextCycleAtMs = this.tenant.clock.now() + Math.max(1, this.tenant.settings.cloudSyncCycleMs);
  }

  /**
   * `POST …/restart`: the job runs again and, when the reset scope removes the watermark (empty scope, `Watermark`
   * or `Full`), its next cycle evaluates every object again instead of only the changes.
   */
  restart(cfg: CloudSyncConfiguration, resetScope: string | null): void {
    this.catchUp();
    const scopes = (resetScope ?? '')
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
    if (scopes.length === 0 || scopes.includes('watermark') || scopes.includes('full')) cfg.processedUsn = {};
    cfg.paused = false;
    cfg.nextCycleAtMs = this.tenant.clock.now() + Math.max(1, this.tenant.settings.cloudSyncCycleMs);
  }

  /** `PUT …/synchronization/secrets`: stored, never shown again (keys replace keys). */
  putSecrets(cfg: CloudSyncConfiguration, secrets: { key: string; value: string }[]): void {
    const kept = (cfg.secrets ?? []).filter((x) => !secrets.some((n) => n.key.toLowerCase() === x.key.toLowerCase()));
    cfg.secrets = [...kept, ...secrets];
  }

  /** The interval changed: the next cycle is one new interval from now. */
  reschedule(): void {
    const now = this.tenant.clock.now();
    for (const cfg of this.configurations()) cfg.nextCycleAtMs = now + this.intervalOf(cfg);
  }

  private runCycle(cfg: CloudSyncConfiguration, atMs: number): void {
    const cycleId = randomUUID();
    let exported = 0;
    let imported = 0;
    let escrowed = 0;
    for (const ad of this.agent.adObjectsUnder(cfg.domainDn)) {
      const obj = this.tenant.byAnchor(ad.kind, ad.anchor);
      if (!obj) continue;
      const seen = cfg.processedUsn[ad.anchor];
      // no watermark for the object (after a restart): evaluated again, as on the first cycle
      const changed = (seen === undefined || ad.uSNChanged > seen) && ad.whenChangedMs <= atMs;
      const takeBack = !obj.isCloudManaged && obj.takeover !== 'none';
      if (!changed && !takeBack) continue;
      imported++;
      const p = this.process(cfg, ad, obj, atMs);
      if (p.status === 'success') exported++;
      if (p.status === 'skipped') escrowed++;
      cfg.processedUsn[ad.anchor] = ad.uSNChanged;
      this.log(cfg, ad, obj, p, cycleId, atMs, null);
    }
    cfg.lastExecution = {
      timeBegan: new Date(atMs).toISOString(),
      timeEnded: new Date(atMs + 1).toISOString(),
      countExported: exported,
      countImported: imported,
      countEscrowed: escrowed,
    };
  }

  /** Process one AD object against its cloud object: skip (SOA in the cloud), take back, update, or nothing to do. */
  private process(cfg: CloudSyncConfiguration, ad: OnPremAdObject, obj: DirObject, atMs: number): Processed {
    const kind = ad.kind;
    const name = ad.attrs.displayName ?? ad.dn;
    const changeId = randomUUID();
    const steps: ProvisioningStep[] = [
      {
        name: 'EntryImport',
        provisioningStepType: 'import',
        status: 'success',
        description: `Retrieved ${kind} '${name}' from Active Directory`,
        details: { distinguishedName: ad.dn, objectGUID: ad.anchor },
      },
      {
        name: 'EntrySynchronizationScoping',
        provisioningStepType: 'scoping',
        status: 'success',
        description: `Determine if ${kind} in scope by evaluating against each scoping filter`,
        details: { 'Active in the source system': 'True', 'Scoping filter evaluation passed': 'True' },
      },
    ];
    if (obj.isCloudManaged) {
      const skip = skipFor(kind, this.tenant.settings.cloudSyncContactSkip);
      steps.push({
        name: 'EntrySynchronizationSkip',
        provisioningStepType: 'export',
        status: 'skipped',
        description: skip.text,
        details: { SkipReason: skip.reason },
      });
      return { status: 'skipped', action: 'other', steps, modified: [], skip, changeId, startMs: atMs };
    }
    const takeBack = obj.takeover !== 'none';
    const exportAttrs = adAttrsToExport(ad);
    const modified: Processed['modified'] = [];
    for (const f of CLOUD_SYNC_FLOWS[kind]) {
      const before = cloudValue(obj, f.target);
      const after = f.target === 'displayName' ? exportAttrs.displayName : (exportAttrs[f.target] ?? null);
      if (before !== after) modified.push({ displayName: f.target, oldValue: before, newValue: after });
    }
    if (!takeBack && modified.length === 0) {
      const text = `The state of the ${kind} in both the source and target systems already match.`;
      steps.push({
        name: 'EntrySynchronizationSkip',
        provisioningStepType: 'export',
        status: 'skipped',
        description: `${text} No change to the ${kind} '${name}' currently needs to be made.`,
        details: { SkipReason: 'RedundantExport' },
      });
      return {
        status: 'skipped',
        action: 'other',
        steps,
        modified,
        skip: { reason: 'RedundantExport', text },
        changeId,
        startMs: atMs,
      };
    }
    this.tenant.applyAttrs(obj, exportAttrs);
    if (takeBack) {
      obj.takeover = 'none';
      modified.push({ displayName: 'onPremisesSyncEnabled', oldValue: null, newValue: 'True' });
    }
    obj.onPremisesSyncEnabled = true;
    steps.push({
      name: 'EntrySynchronizationUpdate',
      provisioningStepType: 'matching',
      status: 'success',
      description: `${ENTRA_TYPE[kind]} '${name}' will be updated in Azure Active Directory`,
      details: { DomainFQDN: cfg.domain },
    });
    steps.push({
      name: 'EntryExportUpdate',
      provisioningStepType: 'export',
      status: 'success',
      description: `${ENTRA_TYPE[kind]} '${name}' was updated in Azure Active Directory`,
      details: { ReportableIdentifier: name },
    });
    return { status: 'success', action: 'update', steps, modified, skip: null, changeId, startMs: atMs };
  }

  private log(
    cfg: CloudSyncConfiguration,
    ad: OnPremAdObject,
    obj: DirObject,
    p: Processed,
    cycleId: string,
    atMs: number,
    initiator: Actor | null,
  ): void {
    const state = this.state;
    if (!state) return;
    const name = ad.attrs.displayName ?? ad.dn;
    const spName = this.servicePrincipalDisplayName(cfg);
    const entry: ProvisioningLogEntry = {
      id: randomUUID(),
      activityDateTime: new Date(atMs).toISOString(),
      tenantId: this.tenant.state.tenantId,
      jobId: cfg.jobId,
      cycleId,
      changeId: p.changeId,
      provisioningAction: p.action,
      durationInMilliseconds: 120,
      initiatedBy:
        initiator === null
          ? { id: '', displayName: 'Azure AD Provisioning Service', initiatorType: 'system' }
          : { id: initiator.oid, displayName: initiator.upn, initiatorType: 'user' },
      servicePrincipal: { id: cfg.servicePrincipalId, displayName: spName },
      sourceSystem: { id: cfg.domain, displayName: 'Active Directory', details: {} },
      targetSystem: {
        id: this.tenant.state.tenantId,
        displayName: 'Azure Active Directory',
        details: {
          ApplicationId: cfg.appId,
          ServicePrincipalId: cfg.servicePrincipalId,
          ServicePrincipalDisplayName: spName,
        },
      },
      sourceIdentity: {
        id: ad.objectGuid,
        displayName: name,
        identityType: ad.kind,
        details: { distinguishedName: ad.dn },
      },
      targetIdentity: { id: obj.id, displayName: obj.displayName, identityType: ENTRA_TYPE[ad.kind], details: {} },
      provisioningStatusInfo: {
        status: p.status,
        errorInformation:
          p.skip === null
            ? null
            : {
                errorCode: p.skip.reason,
                reason: p.skip.text,
                additionalDetails: null,
                errorCategory: null,
                recommendedAction: null,
              },
      },
      provisioningSteps: p.steps,
      modifiedProperties: p.modified,
    };
    state.log.push(entry);
  }

  servicePrincipalDisplayName(cfg: CloudSyncConfiguration): string {
    return this.tenant.settings.cloudSyncServicePrincipalName === 'domain'
      ? cfg.domain
      : 'Active Directory to Azure Active Directory Provisioning';
  }

  // ---- provisionOnDemand ------------------------------------------------------------------------

  provisionOnDemand(
    cfg: CloudSyncConfiguration,
    ruleId: string,
    subject: OnDemandSubject,
    actor: Actor,
  ): OnDemandOutcome {
    this.catchUp();
    if (cfg.paused === true && this.tenant.settings.cloudSyncPausedOnDemand === 'refused')
      return {
        ok: false,
        status: 400,
        code: 'BadRequest',
        message: `The synchronization job '${cfg.jobId}' is paused. Start the job before provisioning on demand.`,
      };
    if (cfg.quarantineBeganMs !== undefined && this.tenant.settings.cloudSyncQuarantine === 'onDemandRefused')
      return {
        ok: false,
        status: 400,
        code: 'BadRequest',
        message: `The synchronization job '${cfg.jobId}' is in quarantine. Resolve the quarantine before provisioning on demand.`,
      };
    if (ruleId !== cfg.ruleId)
      return {
        ok: false,
        status: 400,
        code: 'BadRequest',
        message: `The synchronization rule '${ruleId}' is not defined in the schema of job '${cfg.jobId}'.`,
      };
    const wanted = subject.objectId.toLowerCase();
    const ad = this.agent.adObjectsUnder(cfg.domainDn).find((o) => o.dn.toLowerCase() === wanted);
    if (!ad)
      return {
        ok: false,
        status: 400,
        code: 'BadRequest',
        message: `The object '${subject.objectId}' was not found in the Active Directory domain '${cfg.domain}'.`,
      };
    if (!objectTypeNameAccepted(ad.kind, subject.objectTypeName, this.tenant.settings.cloudSyncObjectTypeName))
      return {
        ok: false,
        status: 400,
        code: 'BadRequest',
        message: `The object type '${subject.objectTypeName}' is not supported for on-demand provisioning of '${subject.objectId}'.`,
      };
    const obj = this.tenant.byAnchor(ad.kind, ad.anchor);
    if (!obj)
      return {
        ok: false,
        status: 400,
        code: 'BadRequest',
        message: `The object '${subject.objectId}' has no matching object in Microsoft Entra ID.`,
      };
    const now = this.tenant.clock.now();
    const p = this.process(cfg, ad, obj, now);
    cfg.processedUsn[ad.anchor] = ad.uSNChanged;
    if (this.tenant.settings.provisionOnDemandLogged) this.log(cfg, ad, obj, p, randomUUID(), now, actor);
    return { ok: true, ...this.onDemandResult(ad, obj, p, now) };
  }

  /** The stringKeyStringValuePair provisionOnDemand returns (docs/reference/cloud-sync.md#provision-on-demand). */
  private onDemandResult(
    ad: OnPremAdObject,
    obj: DirObject,
    p: Processed,
    now: number,
  ): { key: string; value: string } {
    const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
    const result = p.status === 'skipped' ? 'Skipped' : p.status === 'success' ? 'Success' : 'Failure';
    const key = {
      result,
      details: p.skip === null ? {} : { errorCode: p.skip.reason, errorMessage: p.skip.text },
    };
    const at = new Date(now).toISOString();
    const value = {
      action: cap(p.action),
      changeId: p.changeId,
      endTime: at,
      modifiedProperties: p.modified,
      provisioningSteps: p.steps.map((s) => ({
        name: s.name,
        type: cap(s.provisioningStepType),
        status: cap(s.status),
        description: s.description,
        timestamp: at,
        details: s.details,
      })),
      reportableIdentifier: ad.attrs.displayName ?? ad.dn,
      sourceIdentity: { id: ad.objectGuid, type: ad.kind },
      sourceSystem: { name: 'Active Directory' },
      startTime: at,
      statusInfo: {
        status: result,
        errorCode: p.skip?.reason ?? null,
        reason: p.skip?.text ?? null,
        additionalDetails: null,
        errorCategory: null,
        recommendedAction: null,
      },
      targetIdentity: { id: obj.id, type: ENTRA_TYPE[ad.kind] },
      targetSystem: { name: 'Azure Active Directory' },
    };
    return { key: JSON.stringify(key), value: JSON.stringify(value) };
  }
}
