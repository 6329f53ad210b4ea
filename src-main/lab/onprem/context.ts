import type { LabClock, TenantSyncPort } from '../ports.js';
import type { AdObjectState, JoinState, OnPremState } from './state.js';

/** What the on-prem modules share: the state plus lookup indexes rebuilt on restore. */
export interface OnPremContext {
  state: OnPremState;
  clock: LabClock;
  tenant: TenantSyncPort;
  forest: string;
  tenantDomain: string;
  adByDn: Map<string, AdObjectState>;
  adByGuid: Map<string, AdObjectState>;
  adByAnchor: Map<string, AdObjectState>;
  joinByAnchor: Map<string, JoinState>;
}

export function rebuildIndexes(ctx: OnPremContext): void {
  ctx.adByDn.clear();
  ctx.adByGuid.clear();
  ctx.adByAnchor.clear();
  ctx.joinByAnchor.clear();
  for (const o of ctx.state.ad) {
    ctx.adByDn.set(o.dn.toLowerCase(), o);
    ctx.adByGuid.set(o.guid.toLowerCase(), o);
    ctx.adByAnchor.set(o.anchor, o);
  }
  for (const j of ctx.state.joins) ctx.joinByAnchor.set(j.anchor, j);
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function forestDn(forest: string): string {
  return forest
    .split('.')
    .map((p) => `DC=${p}`)
    .join(',');
}
