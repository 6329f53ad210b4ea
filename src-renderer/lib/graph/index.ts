export { STEP_SCOPES, OIDC_SCOPES, allScopes, missingScopes, normaliseScope, type ScopeStep } from './scopes';
export {
  GraphSession,
  createGraphSession,
  tokenScopes,
  TokenSourceError,
  tokenSourceFromIpc,
  accessTokenFetchFromIpc,
  type AccessTokenCall,
  tokenFailureError,
  type TokenSource,
  type FetchLike,
  type GraphClientOptions,
  type GraphCall,
} from './graph-client';
export { cachedTokenSource, type AccessTokenFetch, type TokenCacheOptions } from './token-cache';
export {
  graphErrorOf,
  retryAfterSeconds,
  type GraphError,
  type GraphErrorKind,
  type GraphResult,
} from './graph-result';
export {
  getSyncBehavior,
  setCloudManaged,
  getContact,
  searchContacts,
  probeReadOnly,
  listMemberOf,
  findSoaAuditEvents,
  listSoaAuditEventsInWindow,
  SOA_ACTIVITY_PREFIX,
  type AuditWindowPage,
  type AuditWindowQuery,
  myRoles,
  SOA_ACTIVITY,
  CONTACT_SELECT,
  type SoaObjectKind,
  type SyncBehavior,
  type OrgContact,
  type ContactSearch,
  type ContactPage,
  type ReadOnlyProbe,
  type MembershipRef,
  type SoaAuditEvent,
  type AuditQuery,
  type MyRoles,
  type RoleAssignmentView,
} from './soa-graph';
export {
  ROLE_TEMPLATE,
  ROLE_DISPLAY_NAME,
  SOA_ROLES,
  AUDIT_READER_ROLES,
  SOA_ROLE_NAME,
  AUDIT_ROLE_NAMES,
} from './roles';
export { registrationGuide, type RegistrationGuide } from './registration-guide';
