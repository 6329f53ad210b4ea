/**
 * The short guide the settings screen shows next to the admin-consent link: how to register the
 * admin's own public-client app for soa-pilot, and which delegated permissions to add.
 */
import { STEP_SCOPES, type ScopeStep } from './scopes';

export interface RegistrationGuide {
  steps: string[];
  /** Delegated Microsoft Graph permissions to add, with what each is for. */
  permissions: { scope: string; purpose: string }[];
}

const PURPOSE: Record<ScopeStep, string> = {
  contacts: 'read and transfer the Source of Authority of contacts',
  contactEdit:
    'only when the admin chooses a write proof: prove a contact is read-only before, and editable after, the transfer (permission not documented; unconfirmed)',
  membership: 'read the groups and administrative units a contact is a member of (rollback cloud-reference check)',
  administrativeUnits: 'read the members of the administrative units an AU-scoped admin may act on (bulk plan)',
  roles:
    "check the signed-in admin's roles: active (direct, through groups, administrative-unit scoped) and PIM-eligible",
  me: "read the signed-in admin's own directory roles (fallback when the transitive role list is refused)",
  audit:
    'show the audit-log entry of each transfer, and the Cloud Sync provisioning-log entries (skip and takeover), as evidence',
  cloudSync:
    'only for objects synced by Cloud Sync: find the configuration (Application.Read.All) and run provisionOnDemand for one object (Synchronization.ReadWrite.All; there is no read-only permission for it)',
  users: 'transfer users (later)',
  groups: 'transfer groups (later)',
};

export function registrationGuide(
  steps: readonly ScopeStep[] = [
    'contacts',
    'membership',
    'administrativeUnits',
    'roles',
    'me',
    'audit',
    'contactEdit',
    'cloudSync',
  ],
): RegistrationGuide {
  const seen = new Map<string, string>();
  for (const step of steps) for (const scope of STEP_SCOPES[step]) if (!seen.has(scope)) seen.set(scope, PURPOSE[step]);
  return {
    steps: [
      'Entra admin center → App registrations → New registration; name it (e.g. "soa-pilot"), single tenant.',
      'Authentication → Add a platform → Mobile and desktop applications → redirect URI http://localhost. Enable "Allow public client flows" for device-code sign-in.',
      'API permissions → Add a permission → Microsoft Graph → Delegated permissions → add the permissions below.',
      'Grant admin consent: open the consent link (an Application Administrator or Cloud Application Administrator must do this).',
      'Copy the Application (client) ID and the Directory (tenant) ID into soa-pilot settings.',
      'The admin who transfers needs Hybrid Administrator (tenant-wide or scoped to an administrative unit; it also reads the audit log). The optional write proofs need a role that may update contacts (User Administrator or another role with microsoft.directory/contacts/basic/update).',
      'For objects synced by Cloud Sync, the admin also needs Hybrid Identity Administrator (the synchronization API), and the tenant needs Microsoft Entra ID P1 or P2 for the provisioning logs.',
    ],
    permissions: [...seen.entries()].map(([scope, purpose]) => ({ scope, purpose })),
  };
}
