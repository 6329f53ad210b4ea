/**
 * What the lab tells its clients (the demo, the tests, `npm run lab:server`).
 * `npm run lab:server` prints `LAB <json of LabInfo>` on one line; `startLab()` returns the same.
 */
export interface LabAdmin {
  upn: string;
  oid: string;
  displayName: string;
  /** Active directory role template ids held tenant-wide (directly or through a role-assignable group). */
  roles: string[];
  /** Role assignments scoped to an administrative unit: `{ roleTemplateId, directoryScopeId: '/administrativeUnits/<id>' }`. */
  scopedRoles: { roleTemplateId: string; directoryScopeId: string }[];
  /** Role-assignable groups through which some of these roles are held. */
  viaGroups: string[];
  /** PIM-eligible roles, not active until the admin activates them. */
  eligibleRoles: { roleTemplateId: string; directoryScopeId: string }[];
  /** Delegated scopes consented for the lab app for this admin (empty = no consent). */
  consentedScopes: string[];
  /** Why this admin exists in the seed (e.g. "no Hybrid Administrator role"). */
  note: string;
}

export interface LabInfo {
  /** Graph root, without the version segment, e.g. https://localhost:PORT */
  graphBaseUrl: string;
  /** MSAL authority, e.g. https://localhost:PORT/<tenantId> */
  authority: string;
  tenantId: string;
  tenantDomain: string;
  /** The lab's public-client app registration. */
  clientId: string;
  controlUrl: string;
  controlToken: string;
  /** PEM file of the CA that signed the lab's TLS certificate. */
  caCertPath: string;
  admins: LabAdmin[];
}
