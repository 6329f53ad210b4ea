/**
 * The seam between the lab's two halves: the cloud tenant (`src-main/lab/tenant/`) and the
 * on-premises Connect Sync server (`src-main/lab/onprem/`). The sync engine exports to the tenant
 * only through this port, the way the real engine only talks to Entra through its connector.
 */
export type SyncedKind = 'contact' | 'user' | 'group';

/** The attributes the Entra connector exports for a synced object. */
export interface ExportedAttributes {
  displayName: string;
  mail?: string | null;
  description?: string | null;
  givenName?: string | null;
  surname?: string | null;
  companyName?: string | null;
  department?: string | null;
  /** on-premises DN, exported as onPremisesDistinguishedName where the resource has it */
  distinguishedName: string;
}

/** How the tenant sees one on-premises-anchored object. */
export interface CloudSyncView {
  id: string;
  kind: SyncedKind;
  /** the immutable anchor (objectGUID, base64) that joins the AD object to the cloud object */
  anchor: string;
  isCloudManaged: boolean;
  onPremisesSyncEnabled: boolean | null;
  displayName: string;
}

export type ExportOutcome =
  /** the change was written to the cloud object */
  | { status: 'applied'; id: string }
  /** SOA is in the cloud (isCloudManaged true): nothing written; the engine raises Event 6956 */
  | { status: 'blocked'; id: string }
  /** rolled back, first cycle after the rollback: the object is being taken over (awaiting export confirmation) */
  | { status: 'takeoverPending'; id: string }
  | { status: 'notFound' };

export interface TenantSyncPort {
  /** Look up the cloud object joined to this anchor. */
  viewByAnchor(kind: SyncedKind, anchor: string): CloudSyncView | undefined;
  /** Export an update. Blocked (no write) while the object is cloud-managed. */
  exportUpdate(kind: SyncedKind, anchor: string, attrs: ExportedAttributes): ExportOutcome;
  /**
   * Confirm a takeover after rollback: the export was confirmed on the next import, so
   * onPremisesSyncEnabled becomes true again (and AD values overwrite cloud edits).
   */
  confirmTakeover(kind: SyncedKind, anchor: string, attrs: ExportedAttributes): ExportOutcome;
}
