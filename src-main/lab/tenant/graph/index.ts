/**
 * The lab's Microsoft Graph: `router.ts` is the front door (tokens, throttling, errors, routing);
 * each resource has a file of its own (contacts, users, groups, onPremisesSyncBehavior, me,
 * roles, administrative units, audit logs, onPremisesSynchronization, consent, $batch), and they
 * share `context.ts`, `collections.ts`, `directory-objects.ts`, `scopes.ts` and `errors.ts`.
 */
export { GraphService } from './router';
export type { GraphDeps, GraphRequest, GraphResponse } from './context';
export {
  MSG_COUNT_UNSUPPORTED,
  MSG_DENIED,
  MSG_EXTERNAL_SERVICE_UPDATE,
  MSG_UNRECOGNISED_UPDATE,
  MSG_NOT_SYNCED,
  MSG_SEARCH_NEEDS_HEADER,
  MSG_SYNCED_UPDATE,
  faultResponse,
} from './errors';
