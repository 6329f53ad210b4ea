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

/** The lab's adjustable clock (the control API can move it). Milliseconds since the epoch. */
export interface LabClock {
  now(): number;
}

/** One AD object the seed puts in the forest (synced, transferred or rolled-back-pending in the cloud). */
export interface OnPremSeedObject {
  kind: SyncedKind;
  /** objectGUID as base64 (the sourceAnchor / cloudAnchor join value) */
  anchor: string;
  /** objectGUID in its string form */
  objectGuid: string;
  attrs: ExportedAttributes;
  /** the id of the joined cloud object */
  cloudId: string;
  /** DNs of on-premises groups this object is a member of */
  memberOf: string[];
  /**
   * false: filtered out by a scoping rule — a disconnector in the AD connector space, never joined
   * to the metaverse and absent from the tenant (default true).
   */
  inSyncScope?: boolean;
}

export interface OnPremOptions {
  tenant: TenantSyncPort;
  objects: OnPremSeedObject[];
  clock: LabClock;
  /** e.g. contoso.onmicrosoft.com — the Entra connector is named `<tenantDomain> - AAD` */
  tenantDomain: string;
  /** e.g. contoso.com — the AD connector name */
  forest: string;
  /** further forests synced by this server, each through its own AD connector (default none) */
  additionalForests?: string[];
  /** how long a sync cycle runs, ms (fast in tests, longer in the demo) */
  syncCycleMs: number;
  /** Event 6956 provider name (unconfirmed; default 'ADSync') */
  event6956Provider: string;
  /** Connect Sync / Cloud Sync agent versions the version probes report */
  connectSyncVersion: string;
  cloudSyncAgentVersion: string | null;
  stagingMode: boolean;
}

export interface OnPremControlRequest {
  method: string;
  /** path below `/onprem`, e.g. `/scheduler` */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface OnPremControlResponse {
  status: number;
  body: unknown;
}

/**
 * One AD object as the Cloud Sync provisioning agent reads it (`src-main/lab/cloudsync/`): the agent
 * reads AD directly, not through Connect Sync's connector space.
 */
export interface OnPremAdObject {
  kind: SyncedKind;
  dn: string;
  objectGuid: string;
  /** objectGUID as base64 (the sourceAnchor) */
  anchor: string;
  attrs: {
    displayName: string | null;
    mail: string | null;
    description: string | null;
    givenName: string | null;
    sn: string | null;
    company: string | null;
    department: string | null;
  };
  uSNChanged: number;
  whenChangedMs: number;
}

/** Implemented by `src-main/lab/onprem/index.ts` (`createOnPrem(options)`). */
export interface OnPremServer {
  handle(req: OnPremControlRequest): Promise<OnPremControlResponse>;
  /** AD objects whose DN ends with `baseDn` (a domain's naming context), as the provisioning agent reads them. */
  adObjectsUnder(baseDn: string): OnPremAdObject[];
  /** JSON-serialisable state for the lab's state file. */
  snapshot(): unknown;
  restore(snapshot: unknown): void;
  configure(
    patch: Partial<
      Pick<
        OnPremOptions,
        'syncCycleMs' | 'event6956Provider' | 'connectSyncVersion' | 'cloudSyncAgentVersion' | 'stagingMode'
      >
    >,
  ): void;
  close(): void;
}
