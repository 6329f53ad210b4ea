import { describe, expect, it } from 'vitest';
import { cachedTokenSource, type AccessTokenFetch } from '../../../../../src-renderer/lib/graph/token-cache';
import { TokenSourceError } from '../../../../../src-renderer/lib/graph/graph-client';

const HOUR = 3_600_000;

/** A main that hands out token-1, token-2, … (expiring `lifetimeMs` after the clock) and records each call. */
function fakeMain(clock: { t: number }, lifetimeMs = HOUR) {
  const calls: { scopes: string[]; force: boolean }[] = [];
  let n = 0;
  let refuse: TokenSourceError | undefined;
  const fetch: AccessTokenFetch = async (scopes, options) => {
    calls.push({ scopes, force: options?.forceRefresh === true });
    if (refuse) throw refuse;
    n++;
    return { accessToken: `token-${n}`, expiresOn: new Date(clock.t + lifetimeMs).toISOString() };
  };
  return { fetch, calls, refuseWith: (e: TokenSourceError | undefined) => (refuse = e) };
}

describe('cachedTokenSource', () => {
  it('reuses a token for the same scopes within the maximum age, and asks main again after it', async () => {
    const clock = { t: 1_000_000 };
    const main = fakeMain(clock);
    const source = cachedTokenSource(main.fetch, { now: () => clock.t, maxAgeMs: 60_000 });
    expect(await source(['A.Read', 'B.Write'])).toBe('token-1');
    clock.t += 59_000;
    expect(await source(['B.Write', 'A.Read'])).toBe('token-1'); // same set, other order
    expect(main.calls).toHaveLength(1);
    clock.t += 1_000;
    expect(await source(['A.Read', 'B.Write'])).toBe('token-2');
    expect(main.calls).toHaveLength(2);
  });

  it('keeps one entry per scope set', async () => {
    const clock = { t: 0 };
    const main = fakeMain(clock);
    const source = cachedTokenSource(main.fetch, { now: () => clock.t });
    expect(await source(['A.Read'])).toBe('token-1');
    expect(await source(['B.Read'])).toBe('token-2');
    expect(await source(['A.Read'])).toBe('token-1');
    expect(main.calls).toHaveLength(2);
  });

  it('never hands out a token within the renewal margin of its expiry', async () => {
    const clock = { t: 0 };
    // main's tokens live 4 minutes: inside the 5-minute margin from the start, so none is reused
    const main = fakeMain(clock, 4 * 60_000);
    const source = cachedTokenSource(main.fetch, { now: () => clock.t, renewBeforeMs: 5 * 60_000 });
    await source(['A.Read']);
    await source(['A.Read']);
    expect(main.calls).toHaveLength(2);
    // a 10-minute token is reused until 5 minutes before it expires, then main is asked again
    const long = fakeMain(clock, 10 * 60_000);
    const cached = cachedTokenSource(long.fetch, { now: () => clock.t, maxAgeMs: HOUR, renewBeforeMs: 5 * 60_000 });
    expect(await cached(['A.Read'])).toBe('token-1');
    clock.t += 5 * 60_000 - 1;
    expect(await cached(['A.Read'])).toBe('token-1');
    clock.t += 1;
    expect(await cached(['A.Read'])).toBe('token-2');
  });

  it('a forced refresh always asks main and its token replaces the cached one', async () => {
    const clock = { t: 0 };
    const main = fakeMain(clock);
    const source = cachedTokenSource(main.fetch, { now: () => clock.t });
    expect(await source(['A.Read'])).toBe('token-1');
    expect(await source(['A.Read'], { forceRefresh: true })).toBe('token-2');
    expect(main.calls.map((c) => c.force)).toEqual([false, true]);
    expect(await source(['A.Read'])).toBe('token-2');
    expect(main.calls).toHaveLength(2);
  });

  it('a refused refresh drops the cached token: the next call asks main and gets its refusal', async () => {
    const clock = { t: 0 };
    const main = fakeMain(clock);
    const source = cachedTokenSource(main.fetch, { now: () => clock.t });
    await source(['A.Read']);
    const revoked = new TokenSourceError('interactionRequired', 'A new sign-in is needed (invalid_grant).');
    main.refuseWith(revoked);
    await expect(source(['A.Read'], { forceRefresh: true })).rejects.toBe(revoked);
    await expect(source(['A.Read'])).rejects.toBe(revoked);
    expect(main.calls).toHaveLength(3);
    // after a new sign-in main answers again, and that token is used
    main.refuseWith(undefined);
    expect(await source(['A.Read'])).toBe('token-2');
  });

  it('concurrent callers share one request to main', async () => {
    const clock = { t: 0 };
    const main = fakeMain(clock);
    const source = cachedTokenSource(main.fetch, { now: () => clock.t });
    const tokens = await Promise.all([source(['A.Read']), source(['A.Read']), source(['A.Read'])]);
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(main.calls).toHaveLength(1);
  });

  it('an older answer that arrives after a forced refresh does not replace the refreshed token', async () => {
    const clock = { t: 0 };
    const releases: (() => void)[] = [];
    let n = 0;
    const fetch: AccessTokenFetch = (_scopes, options) => {
      const token = `token-${++n}${options?.forceRefresh ? '-forced' : ''}`;
      return new Promise((ok) =>
        releases.push(() => ok({ accessToken: token, expiresOn: new Date(clock.t + HOUR).toISOString() })),
      );
    };
    const source = cachedTokenSource(fetch, { now: () => clock.t });
    const plain = source(['A.Read']);
    const forced = source(['A.Read'], { forceRefresh: true });
    releases[1]?.(); // the forced refresh answers first
    expect(await forced).toBe('token-2-forced');
    releases[0]?.();
    expect(await plain).toBe('token-1');
    expect(await source(['A.Read'])).toBe('token-2-forced');
  });
});
