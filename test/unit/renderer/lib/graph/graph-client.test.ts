/**
 * GraphSession's one retry after a 401: a forced silent refresh, then the same request once more with
 * the new token; never a loop, and a refresh that needs a sign-in surfaces as a token error.
 */
import { describe, expect, it } from 'vitest';
import {
  createGraphSession,
  TokenSourceError,
  type FetchLike,
  type TokenSource,
} from '../../../../../src-renderer/lib/graph/graph-client';

const expiredBody = JSON.stringify({
  error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' },
});

/** A token source like MSAL's cache: the same token until a forced refresh replaces it. */
function cachingTokenSource(refresh: () => string | Error): TokenSource & { forced: number } {
  let current = 'tok-1';
  const source = (async (_scopes, options) => {
    if (options?.forceRefresh) {
      source.forced++;
      const next = refresh();
      if (next instanceof Error) throw next;
      current = next;
    }
    return current;
  }) as TokenSource & { forced: number };
  source.forced = 0;
  return source;
}

function session(tokenSource: TokenSource, answer: (auth: string) => Response) {
  const seen: string[] = [];
  const fetch = (async (input: string | Request, init?: RequestInit) => {
    const headers = new Headers(input instanceof Request ? input.headers : init?.headers);
    const auth = headers.get('authorization') ?? '';
    seen.push(auth);
    return answer(auth);
  }) as FetchLike;
  return {
    seen,
    s: createGraphSession({ baseUrl: 'https://graph.example/', customHosts: ['graph.example'], tokenSource, fetch }),
  };
}

const call = { method: 'PATCH' as const, path: '/contacts/x', scopes: ['OrgContact.Read.All'], body: { a: 1 } };

describe('GraphSession after a 401', () => {
  it('refreshes the token once (forceRefresh) and sends the request again with the new token', async () => {
    const tokens = cachingTokenSource(() => 'tok-2');
    const { s, seen } = session(tokens, (auth) =>
      auth === 'Bearer tok-1' ? new Response(expiredBody, { status: 401 }) : new Response(null, { status: 204 }),
    );
    const r = await s.raw(call);
    expect(r.response?.status).toBe(204);
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(tokens.forced).toBe(1);
  });

  it('retries only once: a second 401 is the answer', async () => {
    const tokens = cachingTokenSource(() => 'tok-2');
    const { s, seen } = session(tokens, () => new Response(expiredBody, { status: 401 }));
    const r = await s.call(call, () => null);
    expect(r).toMatchObject({ ok: false, error: { kind: 'unauthorized', status: 401 } });
    expect(seen).toHaveLength(2);
    expect(tokens.forced).toBe(1);
  });

  it('a refresh that needs a sign-in becomes a token error, and the request is not sent again', async () => {
    const tokens = cachingTokenSource(
      () => new TokenSourceError('interactionRequired', 'A new sign-in is needed (invalid_grant).'),
    );
    const { s, seen } = session(tokens, () => new Response(expiredBody, { status: 401 }));
    const r = await s.raw(call);
    expect(r.tokenError).toBeInstanceOf(TokenSourceError);
    expect(seen).toHaveLength(1);
  });

  it('other statuses are not retried and force no refresh', async () => {
    const tokens = cachingTokenSource(() => 'tok-2');
    const { s, seen } = session(tokens, () => new Response('{"error":{"code":"Forbidden"}}', { status: 403 }));
    const r = await s.raw(call);
    expect(r.response?.status).toBe(403);
    expect(seen).toHaveLength(1);
    expect(tokens.forced).toBe(0);
  });
});
