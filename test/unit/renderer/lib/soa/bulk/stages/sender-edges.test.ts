/**
 * The sender's other cases, each with its failing case: the exact requests and scopes of a batch, a 424 whose
 * inner answers are readable (an answer, marked 424) or not (a failed batch), and which token refusals mean
 * "sign in again" (the batch was not sent) rather than a network error.
 */
import { describe, expect, it } from 'vitest';
import {
  batchRequests,
  batchScopes,
  needsSignIn,
  responseOf,
  sendMembers,
} from '../../../../../../../src-renderer/lib/soa/bulk/stages/sender';
import { TokenSourceError } from '../../../../../../../src-renderer/lib/graph/graph-client';
import type { Clock, GraphBatchPort } from '../../../../../../../src-renderer/lib/soa/bulk/ports';
import type { Member } from '../../../../../../../src-renderer/lib/soa/bulk/stages/slot';
import { ID, slotOf } from './slot-fixture';

const clock: Clock = { now: () => 1_000_000, sleep: () => Promise.resolve() };
const members: Member[] = [
  { slot: slotOf({}, { objectId: 'a/b' }), kind: 'verify' },
  { slot: slotOf({}, { objectId: 'g1', objectType: 'group', action: 'rollback' }), kind: 'write' },
  { slot: slotOf({}, { objectType: 'user' }), kind: 'check' },
];
const answering = (status: number, body: unknown, headers: Record<string, string> = {}): GraphBatchPort => ({
  sendBatch: () => Promise.resolve({ status, headers, body }),
});
const throwing = (e: unknown): GraphBatchPort => ({ sendBatch: () => Promise.reject(e) });

describe('sender: requests, 424 and sign-in', () => {
  it('sends exactly one GET or PATCH per member, with the object id encoded, and the union of their scopes', async () => {
    expect(batchRequests(members)).toEqual([
      { id: '1', method: 'GET', url: '/contacts/a%2Fb/onPremisesSyncBehavior?$select=isCloudManaged' },
      {
        id: '2',
        method: 'PATCH',
        url: '/groups/g1/onPremisesSyncBehavior',
        headers: { 'Content-Type': 'application/json' },
        body: { isCloudManaged: false },
      },
      { id: '3', method: 'GET', url: `/users/${ID}/onPremisesSyncBehavior?$select=isCloudManaged` },
    ]);
    expect(batchScopes(members)).toEqual([
      'Contacts-OnPremisesSyncBehavior.ReadWrite.All',
      'OrgContact.Read.All',
      'Group.Read.All',
      'Group-OnPremisesSyncBehavior.ReadWrite.All',
      'User-OnPremisesSyncBehavior.ReadWrite.All',
      'User.Read.All',
    ]);
    const seen: { scopes: readonly string[] }[] = [];
    const graph: GraphBatchPort = {
      sendBatch: (_b, o) => {
        seen.push({ scopes: o.scopes });
        return Promise.resolve({ status: 200, headers: {}, body: { responses: [] } });
      },
    };
    await sendMembers(graph, members.slice(1, 2), clock);
    expect(seen).toEqual([{ scopes: ['Group-OnPremisesSyncBehavior.ReadWrite.All', 'Group.Read.All'] }]);
  });

  it('a 424 with readable inner answers is an answer, marked 424; without them it is a failed batch', async () => {
    const body = { responses: [{ id: '1', status: 429, headers: { 'Retry-After': '4' } }] };
    const out = await sendMembers(answering(424, body), members, clock);
    expect(out).toMatchObject({ ok: true, outerStatus: 424 });
    expect(responseOf(out, 0)).toMatchObject({ status: 429, headers: { 'Retry-After': '4' } });
    const ok = await sendMembers(answering(200, body), members, clock);
    expect(ok).toEqual({ ok: true, byId: new Map([['1', body.responses[0]]]) });
    const unreadable = await sendMembers(answering(424, 'oops', { 'Retry-After': '2' }), members, clock);
    expect(unreadable).toEqual({ ok: false, reason: '$batch returned 424', status: 424, retryAfter: 2000 });
    const plain = await sendMembers(answering(503, undefined), members, clock);
    // strict: no Retry-After means no retryAfter field at all
    expect(plain).toStrictEqual({ ok: false, reason: '$batch returned 503', status: 503 });
    // a 5xx whose body happens to look like answers is still a failed batch
    const odd = await sendMembers(answering(500, body), members, clock);
    expect(odd).toEqual({ ok: false, reason: '$batch returned 500', status: 500 });
  });

  it('a refused token that only a new sign-in ends: the batch is not sent and the run asks for the sign-in', async () => {
    for (const code of ['interactionRequired', 'notSignedIn']) {
      const e = new TokenSourceError(code, `Sign in again (${code}).`);
      expect(needsSignIn(e)).toBe(true);
      expect(await sendMembers(throwing(e), members, clock)).toEqual({
        ok: false,
        reason: `Sign in again (${code}).`,
        signIn: true,
      });
    }
  });

  it('missing consent, another token failure or a plain error is no sign-in: a network error with its words', async () => {
    const consent = new TokenSourceError('interactionRequired', 'Consent is missing.', ['Group.Read.All']);
    const other = new TokenSourceError('unavailable', 'Token request failed.');
    expect([needsSignIn(consent), needsSignIn(other), needsSignIn(new Error('x')), needsSignIn('x')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(await sendMembers(throwing(consent), members, clock)).toEqual({
      ok: false,
      reason: 'network error: Consent is missing.',
    });
    expect(await sendMembers(throwing('reset by peer'), members, clock)).toEqual({
      ok: false,
      reason: 'network error: reset by peer',
    });
  });
});
