/** Words the bulk views show: plan actions, object types, and the shape of a problem shown to the admin. */
import type { BulkObjectType, PlanAction } from '../lib/soa/bulk';

export type SelectionMode = 'filter' | 'csv' | 'saved' | 'journal';

/** A failure as the admin sees it: what happened, why, and what to do. */
export interface Problem {
  title: string;
  message: string;
  fix: string;
}

export const ACTION_LABEL: Record<PlanAction, string> = {
  transfer: 'Transfer',
  rollback: 'Roll back',
  skipAlreadyTransferred: 'Skip: already transferred',
  skipCloudNative: 'Skip: cloud-native',
  skipNotTransferred: 'Skip: not transferred',
  blockedCloudReferences: 'Blocked: cloud references',
  blockedCloudMembers: 'Blocked: cloud members',
  blockedNotInScope: 'Blocked: not in admin scope',
  blockedUnreadable: 'Blocked: unreadable',
  blockedCouldNotCheck: 'Blocked: could not check',
};

export const TYPE_LABEL: Record<BulkObjectType, string> = { contact: 'contacts', user: 'users', group: 'groups' };
