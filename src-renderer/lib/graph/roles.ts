/**
 * Built-in Entra role template ids soa-pilot checks (the same in every tenant), and which roles hold
 * each role action the flows depend on (docs/reference/graph-and-identity.md#role-actions).
 */
export const ROLE_TEMPLATE = {
  /** "Hybrid Identity Administrator", shown as "Hybrid Administrator" */
  hybridAdministrator: '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2',
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  reportsReader: '4a5d8f65-41da-4de4-8968-e035b65339cf',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  intuneAdministrator: '3a2c62db-5318-420d-8d74-23affee5d9d5',
  partnerTier1Support: '4ba39ca4-527c-499a-b93d-d9b492c50246',
  partnerTier2Support: 'e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8',
} as const;

export const ROLE_DISPLAY_NAME: Record<string, string> = {
  [ROLE_TEMPLATE.hybridAdministrator]: 'Hybrid Administrator',
  [ROLE_TEMPLATE.globalAdministrator]: 'Global Administrator',
  [ROLE_TEMPLATE.reportsReader]: 'Reports Reader',
  [ROLE_TEMPLATE.securityReader]: 'Security Reader',
  [ROLE_TEMPLATE.securityAdministrator]: 'Security Administrator',
  [ROLE_TEMPLATE.globalReader]: 'Global Reader',
  [ROLE_TEMPLATE.userAdministrator]: 'User Administrator',
  [ROLE_TEMPLATE.intuneAdministrator]: 'Intune Administrator',
  [ROLE_TEMPLATE.partnerTier1Support]: 'Partner Tier1 Support',
  [ROLE_TEMPLATE.partnerTier2Support]: 'Partner Tier2 Support',
};

/** Roles that may read and change onPremisesSyncBehavior (Hybrid Administrator is the least privileged). */
export const SOA_ROLES: readonly string[] = [ROLE_TEMPLATE.hybridAdministrator, ROLE_TEMPLATE.globalAdministrator];

/** Roles holding `microsoft.directory/contacts/basic/update` (PATCH /contacts/{id}: the write proofs). */
export const CONTACT_UPDATE_ROLES: readonly string[] = [
  ROLE_TEMPLATE.userAdministrator,
  ROLE_TEMPLATE.intuneAdministrator,
  ROLE_TEMPLATE.partnerTier1Support,
  ROLE_TEMPLATE.partnerTier2Support,
  ROLE_TEMPLATE.globalAdministrator,
];

/**
 * Roles holding `microsoft.directory/auditLogs/allProperties/read`. The Graph page lists only the
 * least privileged ones; Hybrid (Identity) Administrator holds the action too.
 */
export const AUDIT_READER_ROLES: readonly string[] = [
  ROLE_TEMPLATE.reportsReader,
  ROLE_TEMPLATE.securityReader,
  ROLE_TEMPLATE.securityAdministrator,
  ROLE_TEMPLATE.globalReader,
  ROLE_TEMPLATE.hybridAdministrator,
  ROLE_TEMPLATE.globalAdministrator,
];

export const SOA_ROLE_NAME = 'Hybrid Administrator';
export const AUDIT_ROLE_NAMES =
  'Reports Reader, Security Reader, Security Administrator, Global Reader or Hybrid Administrator (tenant-wide)';
export const CONTACT_UPDATE_ROLE_NAMES =
  'User Administrator, Intune Administrator, Partner Tier1 Support, Partner Tier2 Support or Global Administrator';

/** Where an admin activates a PIM-eligible role. */
export const PIM_ACTIVATION_HOW_TO =
  'Activate it in the Microsoft Entra admin center: Identity governance → Privileged Identity Management → My roles → Eligible assignments → Activate. Then sign in to soa-pilot again (a role activated after sign-in is not in the current token).';

export function roleName(templateId: string): string {
  return ROLE_DISPLAY_NAME[templateId] ?? templateId;
}
