/**
 * The lab tenant: state, roles and consent lookups, SOA transitions, audit entries, the write log,
 * and the `TenantSyncPort` the on-premises sync engine exports through.
 */
import { randomUUID } from 'node:crypto';
import type { CloudSyncView, ExportOutcome, ExportedAttributes, LabClock, SyncedKind, TenantSyncPort } from '../ports';
import type { LabAdmin } from '../types';
import type { CloudSyncService } from '../cloudsync/service';
import {
  ROLE_ACTIONS,
  ROLE_NAMES,
  type Actor,
  type AdministrativeUnit,
  type AuditEntry,
  type DirObject,
  type LabSettings,
  type RoleAction,
  type RoleAssignment,
  type TenantState,
  type WriteLogEntry,
} from './model';

export type { Actor } from './model';

export interface RequestIds {
  requestId: string;
  clientRequestId: string | null;
  batchStepId: string | null;
}

export class Tenant implements TenantSyncPort {
  /** The Cloud Sync provisioning service, when the lab has a Cloud Sync configuration (set by the lab). */
  cloudSync: CloudSyncService | null = null;

  constructor(
    public state: TenantState,
    public settings: LabSettings,
    public readonly clock: LabClock,
  ) {}

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  object(id: string): DirObject | undefined {
    const o = this.state.objects[id.toLowerCase()] ?? this.state.objects[id];
    return o;
  }

  objectsOf(kind: DirObject['kind']): DirObject[] {
    return [...this.indexOf(kind)];
  }

  /**
   * Objects by kind, built once per object map: the seed (or a loaded state) fixes the set of objects,
   * and every Graph request's role check walks the groups, which must not cost a pass over 50,000 contacts.
   */
  private kindIndex: { objects: Record<string, DirObject>; byKind: Map<DirObject['kind'], DirObject[]> } | null = null;

  private indexOf(kind: DirObject['kind']): readonly DirObject[] {
    if (this.kindIndex?.objects !== this.state.objects) {
      const byKind = new Map<DirObject['kind'], DirObject[]>();
      for (const o of Object.values(this.state.objects)) {
        const list = byKind.get(o.kind);
        if (list) list.push(o);
        else byKind.set(o.kind, [o]);
      }
      this.kindIndex = { objects: this.state.objects, byKind };
    }
    return this.kindIndex.byKind.get(kind) ?? [];
  }

  /** The groups (shared index; callers must not change the array). */
  groups(): readonly DirObject[] {
    return this.indexOf('group');
  }

  // ---- roles and consent ----------------------------------------------------------------------

  /** Groups the object is a member of, directly or through nesting. */
  transitiveGroupIds(oid: string): Set<string> {
    const groups = this.groups();
    const out = new Set<string>();
    const queue = [oid];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      for (const g of groups) {
        if (!out.has(g.id) && g.members.includes(id)) {
          out.add(g.id);
          queue.push(g.id);
        }
      }
    }
    return out;
  }

  /**
   * Active role assignments that reach the user: direct ones and those of role-assignable groups the
   * user is a member of (`viaGroupId` set). PIM-eligible assignments are not active and never count.
   */
  activeAssignmentsOf(oid: string): (RoleAssignment & { viaGroupId: string | null })[] {
    const groups = this.transitiveGroupIds(oid);
    return this.state.roleAssignments
      .filter((r) => r.principalId === oid || (groups.has(r.principalId) && this.isRoleAssignable(r.principalId)))
      .map((r) => ({ ...r, viaGroupId: r.principalId === oid ? null : r.principalId }));
  }

  eligibleAssignmentsOf(oid: string): (RoleAssignment & { viaGroupId: string | null })[] {
    const groups = this.transitiveGroupIds(oid);
    return (this.state.roleEligibilities ?? [])
      .filter((r) => r.principalId === oid || (groups.has(r.principalId) && this.isRoleAssignable(r.principalId)))
      .map((r) => ({ ...r, viaGroupId: r.principalId === oid ? null : r.principalId }));
  }

  private isRoleAssignable(groupId: string): boolean {
    return this.object(groupId)?.isAssignableToRole === true;
  }

  /** Tenant-wide active role template ids (the token's `wids`). */
  widsOf(oid: string): string[] {
    return [
      ...new Set(
        this.activeAssignmentsOf(oid)
          .filter((r) => r.directoryScopeId === '/')
          .map((r) => r.roleDefinitionId),
      ),
    ];
  }

  hasTenantRole(oid: string, roles: readonly string[]): boolean {
    return this.activeAssignmentsOf(oid).some((r) => r.directoryScopeId === '/' && roles.includes(r.roleDefinitionId));
  }

  /** The caller holds a role with this action tenant-wide. */
  canTenantWide(oid: string, action: RoleAction): boolean {
    return this.hasTenantRole(oid, ROLE_ACTIONS[action]);
  }

  /** The caller holds a role with this action tenant-wide, or scoped to an AU that holds the object. */
  canOver(oid: string, action: RoleAction, objectId: string): boolean {
    return this.hasRoleOver(oid, ROLE_ACTIONS[action], objectId);
  }

  /** Administrative units whose members include the object (contacts only when the lab allows it). */
  administrativeUnitsOf(objectId: string): AdministrativeUnit[] {
    const o = this.object(objectId);
    if (o?.kind === 'contact' && !this.settings.contactsInAdministrativeUnits) return [];
    return this.state.administrativeUnits.filter((a) => a.members.includes(objectId));
  }

  /** Members of an administrative unit as Graph shows them (contacts only when the lab allows it). */
  administrativeUnitMembers(au: AdministrativeUnit): string[] {
    if (this.settings.contactsInAdministrativeUnits) return au.members;
    return au.members.filter((id) => this.object(id)?.kind !== 'contact');
  }

  /** Tenant-wide role, or the role scoped to an administrative unit that holds the object. */
  hasRoleOver(oid: string, roles: readonly string[], objectId: string): boolean {
    const aus = new Set(this.administrativeUnitsOf(objectId).map((a) => a.id));
    return this.activeAssignmentsOf(oid).some((r) => {
      if (!roles.includes(r.roleDefinitionId)) return false;
      if (r.directoryScopeId === '/') return true;
      const m = /^\/administrativeUnits\/(.+)$/.exec(r.directoryScopeId);
      return m?.[1] !== undefined && aus.has(m[1]);
    });
  }

  consentedScopes(oid: string): string[] {
    const out = new Set<string>();
    for (const g of this.state.grants) {
      if (g.clientId !== this.state.appServicePrincipalId) continue;
      if (g.consentType === 'AllPrincipals' || g.principalId === oid) {
        for (const s of g.scope.split(' ')) if (s) out.add(s);
      }
    }
    return [...out];
  }

  adminByUpn(upn: string): DirObject | undefined {
    const lower = upn.toLowerCase();
    return this.indexOf('user').find((o) => o.kind === 'user' && o.userPrincipalName?.toLowerCase() === lower);
  }

  labAdmins(): LabAdmin[] {
    return this.state.admins.map((a) => {
      const assignments = this.activeAssignmentsOf(a.oid);
      const eligible = this.eligibleAssignmentsOf(a.oid);
      return {
        upn: a.upn,
        oid: a.oid,
        displayName: a.displayName,
        roles: [...new Set(assignments.filter((r) => r.directoryScopeId === '/').map((r) => r.roleDefinitionId))],
        scopedRoles: assignments
          .filter((r) => r.directoryScopeId !== '/')
          .map((r) => ({ roleTemplateId: r.roleDefinitionId, directoryScopeId: r.directoryScopeId })),
        viaGroups: [...new Set(assignments.filter((r) => r.viaGroupId !== null).map((r) => r.viaGroupId as string))],
        eligibleRoles: eligible.map((r) => ({
          roleTemplateId: r.roleDefinitionId,
          directoryScopeId: r.directoryScopeId,
        })),
        consentedScopes: this.consentedScopes(a.oid),
        note: a.note,
      };
    });
  }

  roleName(templateId: string): string {
    return ROLE_NAMES[templateId] ?? templateId;
  }

  // ---- write log and audit --------------------------------------------------------------------

  logWrite(
    actor: Actor | null,
    method: string,
    path: string,
    objectId: string | null,
    body: unknown,
    ids: RequestIds,
  ): void {
    const entry: WriteLogEntry = {
      seq: this.state.writeLog.length + 1,
      at: this.nowIso(),
      upn: actor?.upn ?? null,
      oid: actor?.oid ?? null,
      appId: actor?.appId ?? null,
      method,
      path,
      objectId,
      body,
      requestId: ids.requestId,
      clientRequestId: ids.clientRequestId,
      batchStepId: ids.batchStepId,
    };
    this.state.writeLog.push(entry);
  }

  private addAudit(
    activity: string,
    obj: DirObject,
    actor: Actor,
    oldValue: boolean,
    newValue: boolean,
    ids: RequestIds,
  ): void {
    const now = this.clock.now();
    const typeName = obj.kind === 'contact' ? 'Contact' : obj.kind === 'user' ? 'User' : 'Group';
    const entry: AuditEntry = {
      id: `Directory_${randomUUID()}`,
      category:
        obj.kind === 'contact' ? 'ContactManagement' : obj.kind === 'user' ? 'UserManagement' : 'GroupManagement',
      correlationId: ids.clientRequestId ?? ids.requestId,
      result: 'success',
      resultReason: '',
      activityDisplayName: activity,
      activityDateTime: new Date(now).toISOString(),
      loggedByService: 'Core Directory',
      operationType: 'Update',
      initiatedBy: {
        user: { id: actor.oid, displayName: actor.name, userPrincipalName: actor.upn, ipAddress: '127.0.0.1' },
        app: null,
      },
      targetResources: [
        {
          id: obj.id,
          displayName: obj.displayName,
          type: typeName,
          userPrincipalName: obj.userPrincipalName,
          modifiedProperties: [
            {
              displayName: 'IsCloudManaged',
              oldValue: JSON.stringify([oldValue]),
              newValue: JSON.stringify([newValue]),
            },
          ],
        },
      ],
      additionalDetails: [{ key: 'User-Agent', value: 'soa-pilot-lab' }],
    };
    this.state.audit.push(entry);
  }

  /** Entries are visible to Graph once `auditIngestionMs` has passed since the change (read-time rule, so changing the setting applies to pending entries too). */
  auditVisible(e: AuditEntry): boolean {
    return Date.parse(e.activityDateTime) + this.settings.auditIngestionMs <= this.clock.now();
  }

  // ---- SOA -------------------------------------------------------------------------------------

  /**
   * PATCH onPremisesSyncBehavior. Returns 'notSynced' for a cloud-native object asked to go to the cloud.
   */
  setCloudManaged(obj: DirObject, value: boolean, actor: Actor, ids: RequestIds): 'ok' | 'notSynced' {
    if (value === obj.isCloudManaged) return 'ok';
    if (value) {
      if (!obj.anchor) return 'notSynced';
      obj.isCloudManaged = true;
      obj.onPremisesSyncEnabled = null;
      obj.takeover = 'none';
      this.addAudit(this.settings.auditChangeActivityName, obj, actor, false, true, ids);
    } else {
      obj.isCloudManaged = false;
      obj.onPremisesSyncEnabled = null;
      obj.takeover = 'rolledBack';
      this.addAudit(this.settings.auditUndoActivityName, obj, actor, true, false, ids);
    }
    return 'ok';
  }

  // ---- TenantSyncPort ------------------------------------------------------------------------

  private anchorIndex: Map<string, DirObject> | null = null;

  /** The cloud object joined to an on-premises anchor (objectGUID, base64). */
  byAnchor(kind: SyncedKind, anchor: string): DirObject | undefined {
    if (!this.anchorIndex) {
      this.anchorIndex = new Map();
      for (const o of Object.values(this.state.objects)) if (o.anchor) this.anchorIndex.set(`${o.kind}|${o.anchor}`, o);
    }
    return this.anchorIndex.get(`${kind}|${anchor}`);
  }

  viewByAnchor(kind: SyncedKind, anchor: string): CloudSyncView | undefined {
    const o = this.byAnchor(kind, anchor);
    if (!o || !o.anchor) return undefined;
    return {
      id: o.id,
      kind: o.kind,
      anchor: o.anchor,
      isCloudManaged: o.isCloudManaged,
      onPremisesSyncEnabled: o.onPremisesSyncEnabled,
      displayName: o.displayName,
    };
  }

  /** Write what a sync client exported (attributes left undefined do not flow). */
  applyAttrs(o: DirObject, attrs: ExportedAttributes): void {
    o.displayName = attrs.displayName;
    if (attrs.mail !== undefined) o.mail = attrs.mail;
    if (attrs.description !== undefined) o.description = attrs.description;
    if (attrs.givenName !== undefined) o.givenName = attrs.givenName;
    if (attrs.surname !== undefined) o.surname = attrs.surname;
    if (attrs.companyName !== undefined) o.companyName = attrs.companyName;
    if (attrs.department !== undefined) o.department = attrs.department;
    o.onPremisesDistinguishedName = attrs.distinguishedName;
    o.onPremisesLastSyncDateTime = this.nowIso();
  }

  exportUpdate(kind: SyncedKind, anchor: string, attrs: ExportedAttributes): ExportOutcome {
    const o = this.byAnchor(kind, anchor);
    if (!o) return { status: 'notFound' };
    if (o.isCloudManaged) return { status: 'blocked', id: o.id };
    if (o.takeover === 'rolledBack' || o.takeover === 'awaitingExportConfirmation') {
      o.takeover = 'awaitingExportConfirmation';
      return { status: 'takeoverPending', id: o.id };
    }
    this.applyAttrs(o, attrs);
    o.onPremisesSyncEnabled = true;
    return { status: 'applied', id: o.id };
  }

  confirmTakeover(kind: SyncedKind, anchor: string, attrs: ExportedAttributes): ExportOutcome {
    const o = this.byAnchor(kind, anchor);
    if (!o) return { status: 'notFound' };
    if (o.isCloudManaged) return { status: 'blocked', id: o.id };
    if (o.takeover === 'rolledBack') {
      // confirmation without a prior export: behave like the first cycle
      o.takeover = 'awaitingExportConfirmation';
      return { status: 'takeoverPending', id: o.id };
    }
    this.applyAttrs(o, attrs);
    o.takeover = 'none';
    o.onPremisesSyncEnabled = true;
    return { status: 'applied', id: o.id };
  }
}

export const HYBRID_ROLES: readonly string[] = ROLE_ACTIONS['onPremisesSyncBehavior/readWrite'];
