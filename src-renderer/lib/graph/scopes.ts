/**
 * The delegated Microsoft Graph scopes soa-pilot asks for, per wizard step. Scopes are requested
 * incrementally: each step asks main for a token for exactly its set, and main refuses to hand out a
 * token that does not carry every scope of the set (no silent reuse of another step's token).
 *
 * Names are case-sensitive as Entra lists them. Note `Contacts-…`, not `OrgContact-…`.
 */
export const STEP_SCOPES = {
  /** Read and transfer the SOA of contacts (GET also needs the ReadWrite permission). */
  contacts: ['Contacts-OnPremisesSyncBehavior.ReadWrite.All', 'OrgContact.Read.All'],
  /** Read the directory audit log (both scopes are required by the API). */
  audit: ['AuditLog.Read.All', 'Directory.Read.All'],
  /**
   * PATCH /contacts/{id} (the write proofs), requested only when the admin chooses a write proof.
   * The permission is not documented; Directory.ReadWrite.All is the one Graph metadata implies.
   */
  contactEdit: ['Directory.ReadWrite.All'],
  /**
   * Group and administrative-unit memberships of a contact (memberOf): the documented pair is
   * OrgContact.Read.All + Group.Read.All, or Directory.Read.All.
   */
  membership: ['OrgContact.Read.All', 'Group.Read.All'],
  /** Members of an administrative unit (AdministrativeUnit.Read.All, or Directory.Read.All). */
  administrativeUnits: ['AdministrativeUnit.Read.All'],
  /**
   * The signed-in admin's role assignments (active, through groups, AU-scoped) and PIM-eligible
   * ones (roleEligibilityScheduleInstances accepts RoleManagement.Read.Directory too).
   */
  roles: ['RoleManagement.Read.Directory'],
  /** The signed-in admin's own directory roles (/me/transitiveMemberOf). */
  me: ['User.Read'],
  /**
   * Cloud Sync, requested only when an object is synced by Cloud Sync: its configuration's service principal
   * (Application.Read.All) and the job, schema and provisionOnDemand (Synchronization.ReadWrite.All; provisionOnDemand
   * has no read-only permission). The provisioning log uses `audit` (docs/reference/cloud-sync.md#permissions-and-roles).
   */
  cloudSync: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
  /** Later: users and groups. */
  users: ['User-OnPremisesSyncBehavior.ReadWrite.All'],
  groups: ['Group-OnPremisesSyncBehavior.ReadWrite.All'],
} as const satisfies Record<string, readonly string[]>;

export type ScopeStep = keyof typeof STEP_SCOPES;

/** Scopes MSAL adds to every request; never part of a step's set and ignored in coverage checks. */
export const OIDC_SCOPES: readonly string[] = ['openid', 'profile', 'offline_access', 'email'];

/** Every scope soa-pilot may use (for the admin-consent link and the registration guide). */
export function allScopes(steps: readonly ScopeStep[] = Object.keys(STEP_SCOPES) as ScopeStep[]): string[] {
  const out = new Set<string>();
  for (const s of steps) for (const scope of STEP_SCOPES[s]) out.add(scope);
  return [...out];
}

/**
 * Strip a resource prefix: `https://graph.microsoft.com/User.Read` → `User.Read`. Lower-cased for
 * comparison (scope names are case-insensitive on the wire).
 */
export function normaliseScope(scope: string): string {
  const i = scope.lastIndexOf('/');
  return (i >= 0 ? scope.slice(i + 1) : scope).toLowerCase();
}

/** The scopes in `required` that `granted` does not cover (OIDC scopes are ignored). */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted.map(normaliseScope));
  const oidc = new Set(OIDC_SCOPES);
  return required.filter(
    (s) => !oidc.has(normaliseScope(s)) && normaliseScope(s) !== '.default' && !have.has(normaliseScope(s)),
  );
}
