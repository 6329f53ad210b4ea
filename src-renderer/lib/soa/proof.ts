/**
 * The read-only and writable proofs, role-aware. A proof is "by write" when a PATCH of the contact
 * was sent and Graph's answer decided it, or "by state" when the SOA state (and the audit entry) is
 * the only evidence: the admin holds no role that may update contacts, or Graph refused the write
 * with 403 (not provable, which never means "not read-only").
 *
 * Graph's refusal is classified by status, error code and the object's state, never by the English
 * message text (which is undocumented for contacts and may be localised): see
 * docs/reference/graph-and-identity.md#write-errors and #proofs-by-write-or-by-state.
 */
import type { GraphError } from '../graph/graph-result';

export type ProofBy = 'write' | 'state';

/** What the report says about how a proof was made. */
export interface ProofRecord {
  by: ProofBy;
  /** One sentence: what decided it. */
  summary: string;
  /** The account that sent the proof write when it was not the signed-in admin (another admin's sign-in). */
  account?: string;
}

/** The proof mode the admin chose (or the only one their roles allow). */
export type ProofMode = 'write' | 'state';

/** The error code Graph uses for writes to objects mastered elsewhere (users, groups; docs/reference/graph-and-identity.md#write-errors). */
export const MASTERED_ELSEWHERE_CODE = 'Request_BadRequest';

export const NOT_PROVABLE_WITH_ROLES = 'cannot be proven by a write with your roles';
export const PROBABLY_READ_ONLY = 'probably read-only (unrecognised message)';

export type WriteProbeVerdict =
  /** the no-op write was accepted: the object is writable */
  | { kind: 'accepted' }
  /** 400 with the documented code on a synced object */
  | { kind: 'readOnly'; status: number; code: string; message: string }
  /** another 400 on a synced object: refused, so probably read-only, but not the documented answer */
  | { kind: 'probablyReadOnly'; status: number; code: string; message: string }
  /** a 400 on an object that is not synced: the write was refused for some other reason */
  | { kind: 'refused'; status: number; code: string; message: string }
  /** no verdict from the write: 403 (role or scope), 401, throttling, 5xx, no answer */
  | { kind: 'notProvable'; status: number; code: string; message: string; reason: string }
  | { kind: 'notFound'; status: number; code: string; message: string };

/**
 * Classify the answer to a PATCH /contacts/{id} by status, code and the object's state.
 * `synced`: the state evidence shows the object is synced (isCloudManaged false, onPremisesSyncEnabled true).
 */
export function classifyWriteProbe(error: GraphError | null, synced: boolean): WriteProbeVerdict {
  if (error === null) return { kind: 'accepted' };
  const base = { status: error.status, code: error.code, message: error.message };
  if (error.status === 400) {
    if (!synced) return { kind: 'refused', ...base };
    return error.code === MASTERED_ELSEWHERE_CODE
      ? { kind: 'readOnly', ...base }
      : { kind: 'probablyReadOnly', ...base };
  }
  if (error.status === 404) return { kind: 'notFound', ...base };
  const reason =
    error.status === 403
      ? error.kind === 'forbidden' && error.missingScopes.length > 0
        ? `Graph refused the write with 403: the token lacks ${error.missingScopes.join(', ')} (the permission this PATCH needs is not documented). Not provable by a write — this does not mean the contact is writable or read-only.`
        : 'Graph refused the write with 403 Authorization_RequestDenied: your roles (or the app’s permission) do not allow updating contacts. Not provable by a write — this does not mean the contact is writable or read-only.'
      : error.status === 401
        ? 'The token was rejected (401); sign in again to try the write.'
        : error.status === 429
          ? 'Graph throttled the write (429); no verdict from it.'
          : error.status === 0
            ? `No answer from Graph (${error.message}); no verdict from the write.`
            : `Graph answered ${error.status}; no verdict from the write.`;
  return { kind: 'notProvable', ...base, reason };
}

/** Raw Graph text, quoted for the evidence (it is shown, never interpreted). */
export function rawMessage(v: { status: number; code: string; message: string }): string {
  return `${v.status} ${v.code || '(no code)'}: "${v.message}"`;
}
