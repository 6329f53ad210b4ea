/**
 * Stage 3, the sender: turns a batch's members into one JSON `$batch` body (check and verify are a
 * GET of onPremisesSyncBehavior, a write is its PATCH), sends it through the Graph port and reads
 * the answer. It decides nothing about the objects: the response handler does that with what this
 * stage returns (each member's inner response, or why the whole batch failed).
 */
import type { BatchInnerResponse } from '../graph-bodies';
import { batchResponseBody, retryAfterHeaderMs } from '../graph-bodies';
import { scopesFor, syncBehaviorPatchUrl, syncBehaviorUrl } from '../object-types';
import type { BatchRequest, Clock, GraphBatchPort } from '../ports';
import type { Member } from './slot';
import { TokenSourceError } from '../../../graph/graph-client';

/** At most 20 requests in one `$batch` (docs/reference/graph-and-identity.md#batch). */
export const MAX_BATCH = 20;

export type BatchOutcome =
  /**
   * the batch was answered; member i's inner response (if any) is `responseOf(outcome, i)`. `outerStatus` 424: Graph
   * failed the batch because inner requests were throttled (the answers are still in the body).
   */
  | { ok: true; byId: Map<string, BatchInnerResponse>; outerStatus?: 424 }
  /** the whole batch failed (outer status, network error, unreadable body) */
  | { ok: false; reason: string; retryAfter?: number; status?: number }
  /** no token without an interactive sign-in: the batch was not sent */
  | { ok: false; reason: string; signIn: true };

/** The `$batch` requests of these members; member i has id `i + 1`. */
export function batchRequests(members: readonly Member[]): BatchRequest[] {
  return members.map((m, i) => {
    const { objectType, objectId } = m.slot.item;
    if (m.kind === 'write') {
      return {
        id: String(i + 1),
        method: 'PATCH',
        url: syncBehaviorPatchUrl(objectType, objectId),
        headers: { 'Content-Type': 'application/json' },
        body: { isCloudManaged: m.slot.target },
      };
    }
    return { id: String(i + 1), method: 'GET', url: syncBehaviorUrl(objectType, objectId) };
  });
}

/** The scopes the token of this batch needs (the union over its object types). */
export function batchScopes(members: readonly Member[]): string[] {
  return [...new Set(members.flatMap((m) => scopesFor(m.slot.item.objectType)))];
}

/** The inner response of member `index`, or undefined when the batch lost it. */
export function responseOf(outcome: BatchOutcome, index: number): BatchInnerResponse | undefined {
  return outcome.ok ? outcome.byId.get(String(index + 1)) : undefined;
}

/** Send one batch of members. Never rejects: a failure of the whole batch is an `ok: false` outcome. */
export async function sendMembers(
  graph: GraphBatchPort,
  members: readonly Member[],
  clock: Clock,
): Promise<BatchOutcome> {
  try {
    const res = await graph.sendBatch({ requests: batchRequests(members) }, { scopes: batchScopes(members) });
    // concepts/throttling.md: a batch whose inner requests were throttled may itself fail with 424, each inner
    // answer (and its Retry-After) still in the body (docs/reference/graph-and-identity.md#batch)
    if (res.status === 200 || res.status === 424) {
      const parsed = batchResponseBody.safeParse(res.body);
      if (parsed.success)
        return {
          ok: true,
          byId: new Map(parsed.data.responses.map((r) => [r.id, r])),
          ...(res.status === 424 ? { outerStatus: 424 as const } : {}),
        };
      if (res.status === 200) return { ok: false, reason: 'unparsable $batch response body' };
    }
    const ra = retryAfterHeaderMs(res.headers, clock.now());
    return {
      ok: false,
      reason: `$batch returned ${res.status}`,
      status: res.status,
      ...(ra !== undefined ? { retryAfter: ra } : {}),
    };
  } catch (e) {
    if (needsSignIn(e)) return { ok: false, reason: e.message, signIn: true };
    return { ok: false, reason: `network error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * A token refusal that only a new interactive sign-in ends (refresh token revoked or expired, no
 * account): docs/reference/token-lifetime.md#revoked-refresh-tokens. Missing consent is not one of
 * them (it needs an administrator first), nor is any other failure.
 */
export function needsSignIn(e: unknown): e is TokenSourceError {
  return (
    e instanceof TokenSourceError &&
    e.missingScopes.length === 0 &&
    (e.code === 'interactionRequired' || e.code === 'notSignedIn')
  );
}
