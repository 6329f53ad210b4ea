/** Which delegated scopes each Graph endpoint accepts. */
import type { VerifiedToken } from '../../identity/tokens';
import type { ContactPatchScopeVariant } from '../model';
import type { Ctx } from './context';
import { denied } from './errors';

/** scope alternatives: each inner list is a set that must all be granted */
export type ScopeRule = string[][];

const RW = ['Directory.ReadWrite.All'];

export const SCOPES = {
  me: [['User.Read'], ['User.ReadWrite'], ['User.Read.All'], ['User.ReadWrite.All'], ['Directory.Read.All'], RW],
  contactsRead: [['OrgContact.Read.All'], ['Directory.Read.All'], RW],
  contactMemberOf: [['OrgContact.Read.All', 'Group.Read.All'], ['Directory.Read.All'], RW],
  usersRead: [['User.Read.All'], ['User.ReadBasic.All'], ['User.ReadWrite.All'], ['Directory.Read.All'], RW],
  groupsRead: [['Group.Read.All'], ['GroupMember.Read.All'], ['Group.ReadWrite.All'], ['Directory.Read.All'], RW],
  soa: {
    contact: [['Contacts-OnPremisesSyncBehavior.ReadWrite.All']],
    user: [['User-OnPremisesSyncBehavior.ReadWrite.All']],
    group: [['Group-OnPremisesSyncBehavior.ReadWrite.All']],
  },
  roleEligibility: [
    ['RoleEligibilitySchedule.Read.Directory'],
    ['RoleEligibilitySchedule.ReadWrite.Directory'],
    ['RoleManagement.Read.Directory'],
    ['RoleManagement.Read.All'],
    ['RoleManagement.ReadWrite.Directory'],
  ],
  roleAssignments: [
    ['RoleManagement.Read.Directory'],
    ['RoleManagement.Read.All'],
    ['RoleManagement.ReadWrite.Directory'],
    ['Directory.Read.All'],
    RW,
  ],
  auRead: [['AdministrativeUnit.Read.All'], ['AdministrativeUnit.ReadWrite.All'], ['Directory.Read.All'], RW],
  auWrite: [['AdministrativeUnit.ReadWrite.All'], RW],
  audit: [
    ['AuditLog.Read.All', 'Directory.Read.All'],
    ['AuditLog.Read.All', 'Directory.ReadWrite.All'],
  ],
  onPremSyncRead: [
    ['OnPremDirectorySynchronization.Read.All'],
    ['OnPremDirectorySynchronization.ReadWrite.All'],
    ['Directory.Read.All'],
    RW,
  ],
  onPremSyncWrite: [['OnPremDirectorySynchronization.ReadWrite.All']],
  grants: [
    ['DelegatedPermissionGrant.Read.All'],
    ['DelegatedPermissionGrant.ReadWrite.All'],
    ['Directory.Read.All'],
    RW,
  ],
  servicePrincipals: [['Application.Read.All'], ['Application.ReadWrite.All'], ['Directory.Read.All'], RW],
  /** synchronization jobs and schema (docs/reference/cloud-sync.md#permissions-and-roles) */
  synchronizationRead: [['Synchronization.Read.All'], ['Synchronization.ReadWrite.All']],
  /** provisionOnDemand, start */
  synchronizationWrite: [['Synchronization.ReadWrite.All']],
} satisfies Record<string, ScopeRule | Record<string, ScopeRule>>;

/** The scopes PATCH /contacts/{id} accepts, per the lab's `contactPatchScope` variant (undocumented). */
export function contactWriteScopes(variant: ContactPatchScopeVariant): ScopeRule {
  switch (variant) {
    case 'Directory.ReadWrite.All':
      return [RW];
    case 'OrgContact.ReadWrite.All':
      return [['OrgContact.ReadWrite.All'], RW];
    case 'Directory.AccessAsUser.All':
      return [['Directory.AccessAsUser.All']];
  }
}

export function hasScopes(who: VerifiedToken, rule: ScopeRule): boolean {
  const granted = new Set(who.scopes.map((s) => s.toLowerCase()));
  return rule.some((set) => set.every((s) => granted.has(s.toLowerCase())));
}

export function requireScopes(ctx: Ctx, rule: ScopeRule): void {
  if (!hasScopes(ctx.who, rule)) throw denied();
}
