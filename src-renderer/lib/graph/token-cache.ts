/**
 * A short-lived renderer-side cache in front of main's `auth.getAccessToken`, for callers that send
 * many requests in a row (a bulk run sends dozens of `$batch` requests a second; asking main for the
 * token before each one put a bridge round trip in front of every batch).
 *
 * A cached token is handed out only while all of these hold:
 * - it is younger than `maxAgeMs` (default 60 s), so a sign-out or another admin's sign-in in main
 *   reaches the caller within that time;
 * - it is further than `renewBeforeMs` (default 5 min, what MSAL in main uses) from its `expiresOn`,
 *   so the renderer never holds a token main would already renew (docs/reference/token-lifetime.md);
 * - no forced refresh replaced it: `forceRefresh` (after Graph refused the token with a 401) always
 *   asks main, and its answer replaces the entry; a refusal drops the entry, so the next call asks main
 *   again and a revoked sign-in surfaces as main's error.
 * Tokens are held in memory only, per scope set, and never logged.
 */
import type { TokenSource } from './graph-client';

/** Main's answer for one scope set: the token and when it expires (ISO date). */
export type AccessTokenFetch = (
  scopes: string[],
  options?: { forceRefresh?: boolean },
) => Promise<{ accessToken: string; expiresOn: string }>;

export interface TokenCacheOptions {
  /** ms epoch; default Date.now */
  now?: () => number;
  /** the longest time a token is reused without asking main (default 60 s) */
  maxAgeMs?: number;
  /** ask main again when the token expires within this time (default 5 min) */
  renewBeforeMs?: number;
}

export const TOKEN_CACHE_MAX_AGE_MS = 60_000;
export const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;

export function cachedTokenSource(fetchToken: AccessTokenFetch, options: TokenCacheOptions = {}): TokenSource {
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeMs ?? TOKEN_CACHE_MAX_AGE_MS;
  const renewBefore = options.renewBeforeMs ?? TOKEN_RENEW_BEFORE_MS;
  const entries = new Map<string, { token: string; until: number; seq: number }>();
  let seq = 0;
  /** one request to main per scope set at a time: concurrent batches share it */
  const pending = new Map<string, Promise<string>>();
  return async (scopes, opts) => {
    const key = [...scopes]
      .map((s) => s.toLowerCase())
      .sort()
      .join(' ');
    const force = opts?.forceRefresh === true;
    if (!force) {
      const e = entries.get(key);
      if (e && now() < e.until) return e.token;
      const inFlight = pending.get(key);
      if (inFlight) return inFlight;
    }
    const asked = now();
    const mine = ++seq;
    const p = fetchToken(scopes, force ? { forceRefresh: true } : undefined).then(
      (r) => {
        const expires = Date.parse(r.expiresOn);
        const until = Math.min(asked + maxAge, Number.isFinite(expires) ? expires - renewBefore : asked);
        // an answer to an older request never replaces a newer one (e.g. a forced refresh's)
        if ((entries.get(key)?.seq ?? 0) < mine) entries.set(key, { token: r.accessToken, until, seq: mine });
        return r.accessToken;
      },
      (e: unknown) => {
        if ((entries.get(key)?.seq ?? 0) <= mine) entries.delete(key);
        throw e;
      },
    );
    pending.set(key, p);
    try {
      return await p;
    } finally {
      if (pending.get(key) === p) pending.delete(key);
    }
  };
}
