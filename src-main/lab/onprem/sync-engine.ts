/**
 * The Connect Sync engine: two connectors, connector space and metaverse (one join per AD object,
 * keyed by the anchor), the scheduler, run history and the sync cycle that exports to the tenant
 * through `TenantSyncPort`. A cycle runs in the background on real (unref'd) timers; dates come
 * from the lab clock.
 */
import { randomUUID } from 'node:crypto';
import type { ExportedAttributes, ExportOutcome } from '../ports.js';
import { rdnValue } from './ad-forest.js';
import { attrFactory, importedAttributes, runStepView } from './adsync-shapes.js';
import { forestDn, iso, type OnPremContext } from './context.js';
import { EVENT_6956_LEVEL, event6956Event, writeEvent } from './event-log.js';
import { EMPTY_GUID as EMPTY_GUID_VALUE, entraCsDn, guidFromName } from './guids.js';
import { flowingAdAttributes, syncRuleViews } from './sync-rules.js';
import { schedulerSuspended, syncBusy } from './ps-errors.js';
import type { AdObjectState, JoinState, RunState } from './state.js';
import { formatTimeSpan } from './timespan.js';

export const AAD_CONNECTOR_ID = 'b891884f-051e-4a83-95af-2544101c9083';
export const RUN_PROFILE_NAMES = [
  'Full Import',
  'Delta Import',
  'Full Synchronization',
  'Delta Synchronization',
  'Export',
] as const;
export type RunProfileName = (typeof RUN_PROFILE_NAMES)[number];
export const ALLOWED_INTERVAL_MS = 30 * 60 * 1000;
const SCHEDULER_PROVIDER = 'Directory Synchronization';
const MAX_EVENTS = 20000;

export interface ConnectorInfo {
  Name: string;
  Identifier: string;
  ConnectorTypeName: 'AD' | 'Extensible2';
  Type: 'AD' | 'Extensible2';
  Subtype: string | null;
  PartitionId: string;
  /** the partition's DN: the forest's naming context for an AD connector, `default` for the Entra connector [U] */
  PartitionDn: string;
  RunProfiles: { Name: RunProfileName; Identifier: string }[];
}

export type PolicyType = 'Delta' | 'Initial';

interface CycleStep {
  connector: ConnectorInfo;
  profile: RunProfileName;
  effect: (run: RunState) => void;
}

interface ActiveCycle {
  number: number;
  policy: PolicyType;
  steps: CycleStep[];
  runningConnector: string | null;
}

const KIND_LABEL = { contact: 'Contact', user: 'User', group: 'Group' } as const;

export class SyncEngine {
  /** the AD connector of the server's own forest */
  readonly ad: ConnectorInfo;
  readonly aad: ConnectorInfo;
  private extraAd: { key: string; connectors: ConnectorInfo[] } = { key: '', connectors: [] };
  private readonly timers = new Set<NodeJS.Timeout>();
  private cycle: ActiveCycle | null = null;
  private readonly idCache = new Map<string, { mv: string; adCs: string; aadCs: string; aadDn: string }>();

  constructor(private readonly ctx: OnPremContext) {
    this.ad = makeConnector(ctx.forest, guidFromName(`connector:${ctx.forest}`), 'AD', forestDn(ctx.forest));
    this.aad = makeConnector(`${ctx.tenantDomain} - AAD`, AAD_CONNECTOR_ID, 'Extensible2', 'default');
  }

  /**
   * Every AD connector: the server's own forest first, then one per additional forest
   * (`config.additionalForests`, the `twoForests` seed), each with its forest's naming context as its partition.
   */
  get adConnectors(): ConnectorInfo[] {
    const forests = this.ctx.state.config.additionalForests;
    const key = forests.join('|');
    if (key !== this.extraAd.key)
      this.extraAd = {
        key,
        connectors: forests.map((f) => makeConnector(f, guidFromName(`connector:${f}`), 'AD', forestDn(f))),
      };
    return [this.ad, ...this.extraAd.connectors];
  }

  /** The AD connector whose partition holds this DN (the server's own forest when none does). */
  adConnectorOf(dn: string): ConnectorInfo {
    const d = dn.toLowerCase();
    return this.adConnectors.find((c) => d.endsWith(`,${c.PartitionDn.toLowerCase()}`)) ?? this.ad;
  }

  private isAd(c: ConnectorInfo): boolean {
    return c.ConnectorTypeName === 'AD';
  }

  // ------------------------------------------------------------------ seeding

  /** One join (AD CS + MV + Entra CS) per AD object, in the state the last cycle left it. */
  static seedJoin(ctx: OnPremContext, o: AdObjectState): JoinState {
    const view = ctx.tenant.viewByAnchor(o.kind, o.anchor);
    return {
      anchor: o.anchor,
      disconnector: !o.inSyncScope,
      imported: { ...o.attrs, dn: o.dn, member: [...o.member], memberOf: [...o.memberOf] },
      importedAt: o.whenChanged,
      syncedAt: o.whenChanged,
      blockOnPremisesSync: view?.isCloudManaged === true,
      exportState: 'None',
      awaitingSinceCycle: null,
      rollbackSeenCycle: null,
      exportError: null,
      entraModifiedAt: o.whenChanged,
    };
  }

  // ------------------------------------------------------------------ cycle

  get inProgress(): boolean {
    return this.cycle !== null;
  }

  runStatus(): { RunState: 'Busy'; ConnectorName: string }[] {
    const name = this.cycle?.runningConnector;
    return name ? [{ RunState: 'Busy', ConnectorName: name }] : [];
  }

  startCycle(requested: 'Delta' | 'Initial' | 'Unspecified' | undefined): { Result: 'Success' } {
    if (this.cycle) throw syncBusy(this.aad.Name);
    const sched = this.ctx.state.scheduler;
    if (sched.schedulerSuspended) throw schedulerSuspended();
    const policy: PolicyType =
      requested === 'Initial' ||
      ((requested === undefined || requested === 'Unspecified') && sched.nextPolicy === 'Initial')
        ? 'Initial'
        : 'Delta';
    const full = policy === 'Initial';
    this.ctx.state.cycleNumber += 1;
    const staged = new Set<string>();
    const watermark = this.ctx.state.importWatermark;
    // each AD connector imports its own forest, then each synchronizes (Microsoft's scheduler order)
    const steps: CycleStep[] = [
      ...this.adConnectors.map((c) => ({
        connector: c,
        profile: full ? ('Full Import' as const) : ('Delta Import' as const),
        effect: (r: RunState) => this.importAd(c, full, watermark, staged, r),
      })),
      ...this.adConnectors.map((c) => ({
        connector: c,
        profile: full ? ('Full Synchronization' as const) : ('Delta Synchronization' as const),
        effect: (r: RunState) => this.synchronize(c, staged, r),
      })),
    ];
    if (!this.ctx.state.config.stagingMode) {
      steps.push({ connector: this.aad, profile: 'Export', effect: (r) => this.exportAad(r) });
    }
    steps.push({
      connector: this.aad,
      profile: full ? 'Full Import' : 'Delta Import',
      effect: (r) => this.importAad(r),
    });
    this.cycle = { number: this.ctx.state.cycleNumber, policy, steps, runningConnector: null };
    this.event904(`Scheduler::SchedulerThreadMain : Started sync cycle (${policy}).`);
    this.runStep(0);
    return { Result: 'Success' };
  }

  private slotMs(): number {
    const n = this.cycle?.steps.length ?? 1;
    return Math.max(4, this.ctx.state.config.syncCycleMs / n);
  }

  private runStep(index: number): void {
    const cycle = this.cycle;
    const step = cycle?.steps[index];
    if (!cycle || !step) return;
    const run = this.beginRun(step.connector, step.profile);
    cycle.runningConnector = step.connector.Name;
    const slot = this.slotMs();
    this.after(slot * 0.8, () => {
      try {
        step.effect(run);
      } catch {
        run.Result = 'stopped-extension-dll-exception';
      }
      run.step.StepResult = run.Result;
      run.IsRunComplete = true;
      run.EndDate = this.ctx.clock.now();
      cycle.runningConnector = null;
      this.after(slot * 0.2, () => {
        if (index + 1 < cycle.steps.length) this.runStep(index + 1);
        else this.completeCycle();
      });
    });
  }

  private completeCycle(): void {
    const s = this.ctx.state;
    const now = this.ctx.clock.now();
    s.scheduler.nextPolicy = 'Delta';
    s.scheduler.nextStartMs = now + this.effectiveIntervalMs();
    s.runs = s.runs.filter((r) => !r.IsRunComplete || r.StartDate >= now - s.scheduler.purgeRunHistoryMs);
    this.event904('Scheduler::SchedulerThreadMain : Completed configured scheduler operations.');
    if (s.events.length > MAX_EVENTS) s.events.splice(0, s.events.length - MAX_EVENTS);
    this.cycle = null;
  }

  private event904(message: string): void {
    writeEvent(this.ctx, { Id: 904, ProviderName: SCHEDULER_PROVIDER, Message: message, Level: 4 });
  }

  private beginRun(c: ConnectorInfo, profile: RunProfileName): RunState {
    const s = this.ctx.state;
    const rp = c.RunProfiles.find((p) => p.Name === profile);
    const RunProfileId = rp?.Identifier ?? guidFromName(`runprofile:${c.Name}:${profile}`);
    const last = s.runs.reduce(
      (m, r) => (r.ConnectorId === c.Identifier && r.RunProfileId === RunProfileId ? Math.max(m, r.RunNumber) : m),
      0,
    );
    s.runSeq += 1;
    const run: RunState = {
      seq: s.runSeq,
      RunHistoryId: randomUUID(),
      ConnectorId: c.Identifier,
      ConnectorName: c.Name,
      RunProfileId,
      RunProfileName: profile,
      RunNumber: last + 1,
      IsRunComplete: false,
      Result: 'in-progress',
      StartDate: this.ctx.clock.now(),
      EndDate: null,
      step: {
        StepNumber: 1,
        StepResult: 'in-progress',
        StageAdd: 0,
        StageUpdate: 0,
        StageDelete: 0,
        ExportAdd: 0,
        ExportUpdate: 0,
        ExportFailure: 0,
      },
    };
    s.runs.push(run);
    return run;
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Stop any running cycle (close/restore). Runs left open are marked stopped. */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.cycle = null;
    for (const r of this.ctx.state.runs) {
      if (!r.IsRunComplete) {
        r.IsRunComplete = true;
        r.Result = 'stopped-server-down';
        r.step.StepResult = r.Result;
        r.EndDate = this.ctx.clock.now();
      }
    }
  }

  // ------------------------------------------------------------------ run effects

  private importAd(c: ConnectorInfo, full: boolean, watermark: number, staged: Set<string>, run: RunState): void {
    const s = this.ctx.state;
    const now = this.ctx.clock.now();
    for (const o of s.ad) {
      if (!full && o.uSNChanged <= watermark) continue;
      if (this.adConnectorOf(o.dn) !== c) continue;
      const j = this.ctx.joinByAnchor.get(o.anchor);
      if (!j) continue;
      // Only a change to an attribute the sync rules flow to Entra ID (or a rename) reaches the export.
      const flowing = flowingAdAttributes(o.kind, s.config.sharePointAttributeSet);
      const changed =
        j.imported.dn !== o.dn ||
        j.imported.member.join('\n') !== o.member.join('\n') ||
        [...flowing].some((a) => j.imported[a] !== o.attrs[a]);
      j.imported = { ...o.attrs, dn: o.dn, member: [...o.member], memberOf: [...o.memberOf] };
      j.importedAt = now;
      if (changed) staged.add(o.anchor);
      run.step.StageUpdate += 1;
    }
    s.importWatermark = s.usn;
    run.Result = 'success';
  }

  private synchronize(c: ConnectorInfo, staged: Set<string>, run: RunState): void {
    const now = this.ctx.clock.now();
    for (const j of this.ctx.state.joins) {
      const o = this.ctx.adByAnchor.get(j.anchor);
      if (!o || j.disconnector) continue;
      if (this.adConnectorOf(j.imported.dn) !== c) continue;
      if (staged.has(j.anchor)) {
        j.syncedAt = now;
        j.exportState = 'PendingExport';
        run.step.StageUpdate += 1;
      }
      const view = this.ctx.tenant.viewByAnchor(o.kind, o.anchor);
      if (!view) continue;
      const rolledBack = !view.isCloudManaged && view.onPremisesSyncEnabled !== true;
      if (!rolledBack) j.rollbackSeenCycle = null;
      else if (j.exportState === 'None' && this.takeoverDelayed(j)) continue;
      const block = view.isCloudManaged;
      if (block !== j.blockOnPremisesSync && j.exportState !== 'AwaitingExportConfirmation') {
        j.blockOnPremisesSync = block;
        j.entraModifiedAt = now;
      }
      // Rolled back in the cloud (not cloud-managed, not synced): take the object over.
      if (!view.isCloudManaged && view.onPremisesSyncEnabled !== true && j.exportState === 'None') {
        j.exportState = 'PendingExport';
        run.step.StageUpdate += 1;
      }
    }
    run.Result = 'success';
  }

  /** The sync client has not acted on this rollback yet (`takeoverDelayCycles` in the configuration). */
  private takeoverDelayed(j: JoinState): boolean {
    const delay = this.ctx.state.config.takeoverDelayCycles;
    if (delay <= 0) return false;
    const cycleNumber = this.cycle?.number ?? this.ctx.state.cycleNumber;
    j.rollbackSeenCycle ??= cycleNumber;
    return cycleNumber - j.rollbackSeenCycle < delay;
  }

  private exportAad(run: RunState): void {
    const now = this.ctx.clock.now();
    let errors = false;
    for (const j of this.ctx.state.joins) {
      if (j.exportState !== 'PendingExport' || j.disconnector) continue;
      const o = this.ctx.adByAnchor.get(j.anchor);
      if (!o) continue;
      const outcome = this.ctx.tenant.exportUpdate(o.kind, o.anchor, exportedAttributes(j));
      if (!this.applyOutcome(j, o, outcome, now)) errors = true;
      if (outcome.status === 'applied' || outcome.status === 'takeoverPending') run.step.ExportUpdate += 1;
      if (outcome.status === 'notFound') run.step.ExportFailure += 1;
    }
    run.Result = errors ? 'completed-export-errors' : 'success';
  }

  private importAad(run: RunState): void {
    const now = this.ctx.clock.now();
    const cycleNumber = this.cycle?.number ?? this.ctx.state.cycleNumber;
    for (const j of this.ctx.state.joins) {
      const o = this.ctx.adByAnchor.get(j.anchor);
      if (!o || j.disconnector) continue;
      if (j.exportState === 'AwaitingExportConfirmation' && (j.awaitingSinceCycle ?? 0) < cycleNumber) {
        const outcome = this.ctx.tenant.confirmTakeover(o.kind, o.anchor, exportedAttributes(j));
        if (outcome.status !== 'takeoverPending') this.applyOutcome(j, o, outcome, now);
        run.step.StageUpdate += 1;
        continue;
      }
      // blockOnPremisesSync itself is refreshed from the tenant once per cycle, in the synchronization run
    }
    run.Result = 'success';
  }

  /** Returns false on an export error. */
  private applyOutcome(j: JoinState, o: AdObjectState, outcome: ExportOutcome, now: number): boolean {
    j.entraModifiedAt = now;
    switch (outcome.status) {
      case 'applied':
        j.exportState = 'None';
        j.blockOnPremisesSync = false;
        j.awaitingSinceCycle = null;
        j.exportError = null;
        return true;
      case 'blocked':
        j.exportState = 'None';
        j.blockOnPremisesSync = true;
        j.awaitingSinceCycle = null;
        j.exportError = null;
        writeEvent(this.ctx, {
          Id: 6956,
          ProviderName: this.ctx.state.config.event6956Provider,
          Level: EVENT_6956_LEVEL,
          ...event6956Event(this.ctx.state.config.event6956Shape, o.dn, entraCsDn(j.anchor), this.aad.Name),
        });
        return true;
      case 'takeoverPending':
        j.exportState = 'AwaitingExportConfirmation';
        j.blockOnPremisesSync = false;
        j.awaitingSinceCycle = this.cycle?.number ?? this.ctx.state.cycleNumber;
        j.exportError = null;
        return true;
      case 'notFound':
        j.exportError = j.exportError
          ? { ...j.exportError, LastOccurred: now, RetryCount: j.exportError.RetryCount + 1 }
          : {
              ErrorCode: 'ObjectNotFound',
              ErrorType: 'ExportFailure',
              FirstOccurred: now,
              LastOccurred: now,
              RetryCount: 0,
            };
        return false;
    }
  }

  // ------------------------------------------------------------------ scheduler

  effectiveIntervalMs(): number {
    return this.ctx.state.scheduler.customizedIntervalMs ?? ALLOWED_INTERVAL_MS;
  }

  schedulerView(): Record<string, unknown> {
    const s = this.ctx.state.scheduler;
    return {
      AllowedSyncCycleInterval: formatTimeSpan(ALLOWED_INTERVAL_MS),
      CurrentlyEffectiveSyncCycleInterval: formatTimeSpan(this.effectiveIntervalMs()),
      CustomizedSyncCycleInterval: s.customizedIntervalMs === null ? null : formatTimeSpan(s.customizedIntervalMs),
      NextSyncCyclePolicyType: s.nextPolicy,
      NextSyncCycleStartTimeInUTC: iso(s.nextStartMs),
      PurgeRunHistoryInterval: formatTimeSpan(s.purgeRunHistoryMs),
      SyncCycleEnabled: s.syncCycleEnabled,
      MaintenanceEnabled: s.maintenanceEnabled,
      StagingModeEnabled: this.ctx.state.config.stagingMode,
      SchedulerSuspended: s.schedulerSuspended,
      SyncCycleInProgress: this.inProgress,
    };
  }

  // ------------------------------------------------------------------ views

  connectors(): ConnectorInfo[] {
    return [...this.adConnectors, this.aad];
  }

  /** `Get-ADSyncConnector`: every member of the real type (test/powershell/adsync-types/Connector.json). */
  connectorView(c: ConnectorInfo): Record<string, unknown> {
    const created = iso(this.ctx.state.createdAt);
    const isAd = this.isAd(c);
    return {
      ConnectorTypeName: c.ConnectorTypeName,
      Identifier: c.Identifier,
      Version: 1,
      InternalVersion: 1,
      FormatVersion: 1,
      Name: c.Name,
      Description: '',
      CreationTime: created,
      LastModificationTime: created,
      Partitions: [
        {
          Identifier: c.PartitionId,
          DN: c.PartitionDn,
          Version: 1,
          CreationTime: created,
          LastModificationTime: created,
          Selected: true,
          ConnectorPartitionScope: {
            ObjectClasses: isAd ? ['contact', 'group', 'user', 'inetOrgPerson'] : ['contact', 'group', 'user'],
            ContainerInclusionList: isAd ? [c.PartitionDn] : [],
            ContainerExclusionList: [],
          },
          Name: isAd ? c.Name : 'default',
          Parameters: null,
          PreferredDCs: [],
          IsDomain: isAd,
        },
      ],
      RunProfiles: c.RunProfiles.map((p) => ({ Name: p.Name, Identifier: p.Identifier, Type: runProfileType(p.Name) })),
      ComponentProvisioningMappings: null,
      Schema: null,
      AllParameterDefinitions: null,
      ConnectivityParameters: null,
      GlobalParameters: null,
      CapabilityParameters: null,
      SchemaParameters: null,
      ObjectInclusionList: isAd ? ['contact', 'group', 'user', 'inetOrgPerson'] : ['contact', 'group', 'user'],
      AttributeInclusionList: [],
      AnchorConstructionSettings: null,
      ListName: isAd ? 'Active Directory Domain Services' : 'Windows Azure Active Directory (Microsoft)',
      CompanyName: 'Microsoft',
      Type: c.Type,
      Subtype: c.Subtype,
      IsUpgradeOrImportScenario: false,
      ExtensionConfiguration: null,
      PasswordHashConfiguration: null,
      AADPasswordResetConfiguration: null,
    };
  }

  /** `Get-ADSyncRule`. */
  ruleViews(): Record<string, unknown>[] {
    return syncRuleViews(this.adConnectors, this.aad, this.ctx.state.config.sharePointAttributeSet);
  }

  /**
   * `Get-ADSyncConnectorStatistics -ConnectorName`: pending export counts (objects staged for the
   * next export of this connector) and the number of connectors (joined objects).
   */
  connectorStatistics(c: ConnectorInfo): Record<string, number> {
    const joins = this.ctx.state.joins.filter((j) => !j.disconnector);
    const pending = c === this.aad ? joins.filter((j) => j.exportState === 'PendingExport').length : 0;
    return {
      ExportAdds: 0,
      ExportUpdates: pending,
      ExportDeletes: 0,
      ImportAdds: 0,
      ImportUpdates: 0,
      ImportDeletes: 0,
      ImportNoChange: 0,
      TotalConnectors: joins.length,
    };
  }

  /** `Get-ADSyncRunProfileResult`; the step counters only with `-RunStepDetails` [I]. */
  runView(r: RunState, stepDetails = false): Record<string, unknown> {
    return {
      RunHistoryId: r.RunHistoryId,
      ConnectorId: r.ConnectorId,
      ConnectorName: r.ConnectorName,
      RunProfileId: r.RunProfileId,
      RunProfileName: r.RunProfileName,
      RunNumber: r.RunNumber,
      Username: 'NT SERVICE\\ADSync',
      IsRunComplete: r.IsRunComplete,
      Result: r.Result,
      CurrentStepNumber: 1,
      TotalSteps: 1,
      StartDate: iso(r.StartDate),
      EndDate: iso(r.EndDate),
      RunStepResults: stepDetails ? [runStepView(r)] : null,
    };
  }

  /** Run history, newest first. */
  runsNewestFirst(): RunState[] {
    return [...this.ctx.state.runs].sort((a, b) => b.seq - a.seq);
  }

  /** Stable ids derived from the anchor (SHA-1), computed once per anchor. */
  private ids(anchor: string): { mv: string; adCs: string; aadCs: string; aadDn: string } {
    let v = this.idCache.get(anchor);
    if (!v) {
      const dn = this.ctx.joinByAnchor.get(anchor)?.imported.dn ?? this.ctx.adByAnchor.get(anchor)?.dn ?? '';
      v = {
        mv: guidFromName(`mv:${anchor}`),
        adCs: guidFromName(`cs:${this.adConnectorOf(dn).Identifier}:${anchor}`),
        aadCs: guidFromName(`cs:${this.aad.Identifier}:${anchor}`),
        aadDn: entraCsDn(anchor),
      };
      this.idCache.set(anchor, v);
    }
    return v;
  }

  mvId(anchor: string): string {
    return this.ids(anchor).mv;
  }

  adCsId(anchor: string): string {
    return this.ids(anchor).adCs;
  }

  aadCsId(anchor: string): string {
    return this.ids(anchor).aadCs;
  }

  /** CS objects of one connector, in join order (a page of them). */
  csObjects(c: ConnectorInfo, start: number, count: number): Record<string, unknown>[] {
    const joins = this.isAd(c)
      ? this.ctx.state.joins.filter((j) => this.adConnectorOf(j.imported.dn) === c)
      : this.ctx.state.joins.filter((j) => !j.disconnector);
    return joins.slice(start, start + count).map((j) => this.csObjectView(c, j));
  }

  findCsByDn(c: ConnectorInfo, dn: string): Record<string, unknown> | undefined {
    const want = dn.trim().toLowerCase();
    const j = this.ctx.state.joins.find((x) =>
      this.isAd(c)
        ? x.imported.dn.toLowerCase() === want && this.adConnectorOf(x.imported.dn) === c
        : !x.disconnector && this.ids(x.anchor).aadDn.toLowerCase() === want,
    );
    return j ? this.csObjectView(c, j) : undefined;
  }

  findCsById(id: string): Record<string, unknown> | undefined {
    const want = id.trim().toLowerCase();
    for (const j of this.ctx.state.joins) {
      const ids = this.ids(j.anchor);
      if (ids.adCs === want) return this.csObjectView(this.adConnectorOf(j.imported.dn), j);
      if (ids.aadCs === want && !j.disconnector) return this.csObjectView(this.aad, j);
    }
    return undefined;
  }

  findMv(id: string): Record<string, unknown> | undefined {
    const want = id.trim().toLowerCase();
    const j = this.ctx.state.joins.find((x) => !x.disconnector && this.ids(x.anchor).mv === want);
    return j ? this.mvObjectView(j) : undefined;
  }

  private kindOf(j: JoinState): AdObjectState['kind'] {
    return this.ctx.adByAnchor.get(j.anchor)?.kind ?? 'contact';
  }

  /** `<Kind>_<cloud object id>`, the cloudAnchor both the Entra connector space and the metaverse show. */
  private cloudAnchor(j: JoinState, kind: AdObjectState['kind']): string {
    return `${KIND_LABEL[kind]}_${this.ctx.adByAnchor.get(j.anchor)?.cloudId ?? ''}`;
  }

  csObjectView(c: ConnectorInfo, j: JoinState): Record<string, unknown> {
    const kind = this.kindOf(j);
    const isAd = this.isAd(c);
    const ruleName = isAd ? `In from AD - ${KIND_LABEL[kind]} Join` : `Out to AAD - ${KIND_LABEL[kind]} Join`;
    const lineageId = guidFromName(`rule:${ruleName}`);
    const modified = isAd ? j.importedAt : j.entraModifiedAt;
    const attr = attrFactory(c.Name, ruleName, lineageId, modified);
    const im = j.imported;
    const common = importedAttributes(attr, im);
    const attributes = isAd
      ? [
          attr('objectGUID', 'Binary', j.anchor),
          attr('objectClass', 'String', kind),
          ...common,
          attr('member', 'Reference', im.member, true),
          attr('memberOf', 'Reference', im.memberOf, true),
        ]
      : [
          attr('sourceAnchor', 'String', j.anchor),
          attr('cloudAnchor', 'String', this.cloudAnchor(j, kind)),
          attr('cloudMastered', 'Boolean', 'False'),
          attr('blockOnPremisesSync', 'Boolean', j.blockOnPremisesSync ? 'True' : 'False'),
          attr('onPremisesDistinguishedName', 'String', im.dn),
          ...common,
        ];
    const err = isAd ? null : j.exportError;
    const anchorBytes = isAd ? Buffer.from(j.anchor, 'base64') : Buffer.from(j.anchor, 'ascii');
    return {
      ObjectId: isAd ? this.adCsId(j.anchor) : this.aadCsId(j.anchor),
      ConnectorId: c.Identifier,
      ConnectorName: c.Name,
      ConnectorType: c.Type,
      PartitionId: c.PartitionId,
      DistinguishedName: isAd ? im.dn : entraCsDn(j.anchor),
      AnchorValue: anchorBytes.toString('base64'),
      ObjectType: kind,
      IsTransient: false,
      IsPlaceHolder: false,
      IsConnector: !j.disconnector,
      HasSyncError: false,
      HasExportError: err !== null,
      ExportError: err
        ? {
            RetryCount: err.RetryCount,
            InitialOccurrence: iso(err.FirstOccurred),
            LatestOccurrence: iso(err.LastOccurred),
            ErrorType: err.ErrorType,
            ErrorName: err.ErrorCode,
            ErrorCode: err.ErrorCode,
            ErrorLiteral: null,
            ErrorExtraDetails: null,
          }
        : null,
      SynchronizationError: null,
      // A disconnector has no metaverse join: the all-zero Guid, as Get-ADSyncCSObject shows it.
      ConnectedMVObjectId: j.disconnector ? '00000000-0000-0000-0000-000000000000' : this.mvId(j.anchor),
      Lineage: j.disconnector
        ? []
        : [
            {
              SyncRuleInternalId: guidFromName(`rule-internal:${lineageId}`),
              SyncRuleName: ruleName,
              Operation: 'Join',
            },
          ],
      Attributes: attributes,
    };
  }

  mvObjectView(j: JoinState): Record<string, unknown> {
    const kind = this.kindOf(j);
    const ruleName = `In from AD - ${KIND_LABEL[kind]} Join`;
    const ad = this.adConnectorOf(j.imported.dn);
    const attr = attrFactory(ad.Name, ruleName, guidFromName(`rule:${ruleName}`), j.syncedAt);
    const im = j.imported;
    return {
      ObjectId: this.mvId(j.anchor),
      Lineage: [
        {
          LineageId: EMPTY_GUID_VALUE,
          ConnectedCsObjectDN: im.dn,
          ConnectedCsObjectId: this.adCsId(j.anchor),
          ConnectorName: ad.Name,
          ConnectorId: ad.Identifier,
        },
        {
          LineageId: EMPTY_GUID_VALUE,
          ConnectedCsObjectDN: entraCsDn(j.anchor),
          ConnectedCsObjectId: this.aadCsId(j.anchor),
          ConnectorName: this.aad.Name,
          ConnectorId: this.aad.Identifier,
        },
      ],
      Attributes: [
        attr('sourceAnchor', 'String', j.anchor),
        attr('cloudAnchor', 'String', this.cloudAnchor(j, kind)),
        attr('objectGUID', 'Binary', j.anchor),
        attr('distinguishedName', 'String', im.dn),
        ...importedAttributes(attr, im),
        attr('cloudMastered', 'Boolean', 'False'),
        attr('blockOnPremisesSync', 'Boolean', j.blockOnPremisesSync ? 'True' : 'False'),
      ],
    };
  }
}

function runProfileType(name: RunProfileName): string {
  return name === 'Export' ? 'Export' : name.replace(' ', '');
}

function makeConnector(name: string, id: string, type: 'AD' | 'Extensible2', partitionDn: string): ConnectorInfo {
  return {
    Name: name,
    Identifier: id,
    ConnectorTypeName: type,
    Type: type,
    Subtype: type === 'AD' ? null : 'Windows Azure Active Directory (Microsoft)',
    PartitionId: guidFromName(`partition:${name}`),
    PartitionDn: partitionDn,
    RunProfiles: RUN_PROFILE_NAMES.map((p) => ({ Name: p, Identifier: guidFromName(`runprofile:${name}:${p}`) })),
  };
}

/** What the Entra connector exports: the metaverse values (the last AD import). */
export function exportedAttributes(j: JoinState): ExportedAttributes {
  const m = j.imported;
  return {
    displayName: m.displayName ?? rdnValue(m.dn),
    mail: m.mail,
    description: m.description,
    givenName: m.givenName,
    surname: m.sn,
    companyName: m.company,
    department: m.department,
    distinguishedName: m.dn,
  };
}
