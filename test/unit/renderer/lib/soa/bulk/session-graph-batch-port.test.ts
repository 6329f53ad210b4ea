/**
 * The session `$batch` port after inner 401s (the batch's token expired while Graph worked through it):
 * one forced refresh, then only the refused requests again, never the ones Graph already processed.
 */
import { describe, expect, it } from 'vitest';
import {
  createGraphSession,
  TokenSourceError,
  type FetchLike,
} from '../../../../../../src-renderer/lib/graph/graph-client';
import { createSessionGraphBatchPort } from '../../../../../../src-renderer/lib/soa/bulk/session-graph-batch-port';

const expired = {
  error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' },
};

function port(
  answer: (ids: string[], auth: string) => { id: string; status: number; body?: unknown }[],
  refresh: 'ok' | 'signIn' | 'network' = 'ok',
) {
  const sent: { ids: string[]; auth: string }[] = [];
  let token = 'tok-1';
  let forced = 0;
  const fetch = (async (input: string | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const body = (await req.json()) as { requests: { id: string }[] };
    const ids = body.requests.map((r) => r.id);
    const auth = req.headers.get('authorization') ?? '';
    sent.push({ ids, auth });
    return new Response(JSON.stringify({ responses: answer(ids, auth) }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as FetchLike;
  const p = createSessionGraphBatchPort(
    createGraphSession({
      baseUrl: 'https://graph.example/',
      customHosts: ['graph.example'],
      fetch,
      tokenSource: async (_s, o) => {
        if (o?.forceRefresh) {
          if (refresh === 'signIn') throw new TokenSourceError('interactionRequired', 'A new sign-in is needed.');
          if (refresh === 'network') throw new Error('socket hang up');
          forced++;
          token = `tok-${forced + 1}`;
        }
        return token;
      },
    }),
  );
  return { p, sent, forced: () => forced };
}

const body = {
  requests: [
    { id: '1', method: 'PATCH' as const, url: '/contacts/a/onPremisesSyncBehavior', body: { isCloudManaged: true } },
    { id: '2', method: 'PATCH' as const, url: '/contacts/b/onPremisesSyncBehavior', body: { isCloudManaged: true } },
  ],
};
const scopes = ['Contacts-OnPremisesSyncBehavior.ReadWrite.All'];

describe('session $batch port after inner 401s', () => {
  it('refreshes once and resends only the refused requests, merging the answers', async () => {
    const { p, sent, forced } = port((ids, auth) =>
      ids.map((id) => ({
        id,
        status: auth === 'Bearer tok-1' && id === '2' ? 401 : 204,
        ...(auth === 'Bearer tok-1' && id === '2' ? { body: expired } : {}),
      })),
    );
    const res = await p.sendBatch(body, { scopes });
    expect(sent).toEqual([
      { ids: ['1', '2'], auth: 'Bearer tok-1' },
      { ids: ['2'], auth: 'Bearer tok-2' },
    ]);
    expect(forced()).toBe(1);
    expect(
      (res.body as { responses: { id: string; status: number }[] }).responses.map((r) => [r.id, r.status]),
    ).toEqual([
      ['1', 204],
      ['2', 204],
    ]);
  });

  it('a second 401 is the answer (no loop), and a batch without 401s forces no refresh', async () => {
    const refused = port((ids) => ids.map((id) => ({ id, status: 401, body: expired })));
    const res = await refused.p.sendBatch(body, { scopes });
    expect(refused.sent).toHaveLength(2);
    expect((res.body as { responses: { status: number }[] }).responses.every((r) => r.status === 401)).toBe(true);
    const fine = port((ids) => ids.map((id) => ({ id, status: 204 })));
    await fine.p.sendBatch(body, { scopes });
    expect(fine.sent).toHaveLength(1);
    expect(fine.forced()).toBe(0);
  });

  it('a refresh that needs a sign-in keeps the first answer (what Graph did is not lost; the 401s remain)', async () => {
    const answer = (ids: string[]) =>
      ids.map((id) => ({ id, status: id === '2' ? 401 : 204, ...(id === '2' ? { body: expired } : {}) }));
    const revoked = port(answer, 'signIn');
    const res = await revoked.p.sendBatch(body, { scopes });
    expect(revoked.sent).toHaveLength(1);
    expect(
      (res.body as { responses: { id: string; status: number }[] }).responses.map((r) => [r.id, r.status]),
    ).toEqual([
      ['1', 204],
      ['2', 401],
    ]);
    // any other refresh failure is not a token answer: it rejects (the run treats the batch as uncertain)
    await expect(port(answer, 'network').p.sendBatch(body, { scopes })).rejects.toThrow('socket hang up');
  });
});
