/**
 * Built-in Entra role template ids soa-pilot checks (the same in every tenant).
 */
export const ROLE_TEMPLATE = {
  hybridAdministrator: '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2',
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  reportsReader: '4a5d8f65-41da-4de4-8968-e035b65339cf',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
} as const;

export const ROLE_DISPLAY_NAME: Record<string, string> = {
  [ROLE_TEMPLATE.hybridAdministrator]: 'Hybrid Administrator',
  [ROLE_TEMPLATE.globalAdministrator]: 'Global Administrator',
  [ROLE_TEMPLATE.reportsReader]: 'Reports Reader',
  [ROLE_TEMPLATE.securityReader]: 'Security Reader',
  [ROLE_TEMPLATE.securityAdministrator]: 'Security Administrator',
  [ROLE_TEMPLATE.globalReader]: 'Global Reader',
};

/** Roles that may read and change onPremisesSyncBehavior (Hybrid Administrator is the least privileged). */
export const SOA_ROLES: readonly string[] = [ROLE_TEMPLATE.hybridAdministrator, ROLE_TEMPLATE.globalAdministrator];

/** Roles that may read directory audit logs (Hybrid Administrator is not among them). */
export const AUDIT_READER_ROLES: readonly string[] = [
  ROLE_TEMPLATE.reportsReader,
  ROLE_TEMPLATE.securityReader,
  ROLE_TEMPLATE.securityAdministrator,
  ROLE_TEMPLATE.globalReader,
  ROLE_TEMPLATE.globalAdministrator,
];

export const SOA_ROLE_NAME = 'Hybrid Administrator';
export const AUDIT_ROLE_NAMES = 'Reports Reader, Security Reader, Security Administrator or Global Reader';
