import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ contacts: 60 });
});
afterAll(() => e2e?.close());

describe('browser mode end to end', () => {
  it('loads the app shell in Chromium from the printed URL and strips the token from the address bar', async () => {
    const { page, app } = e2e;
    expect(app.bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await page.goto(app.bridge.url);
    await expect.poll(() => page.getByTestId('app-info').textContent()).toContain('Browser mode');
    expect(await page.locator('h1').first().textContent()).toBe('soa-pilot');
    expect(page.url()).not.toContain('token');
    // the RPC token lives only in the page's memory: not in storage, not in a cookie the page can read
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }) + document.cookie);
    expect(stored).not.toContain(app.bridge.token);
    const cookies = await e2e.context.cookies(app.bridge.origin);
    expect(cookies.map((c) => c.name)).toEqual(['soa_session']);
    expect(cookies[0]!.value).not.toBe(app.bridge.token);
    expect(cookies[0]!.httpOnly).toBe(true);
    await e2e.screenshot('shell');
  });

  it('calls an operation end to end through the bridge from the page', async () => {
    const { page } = e2e;
    const result = await page.evaluate(async (token) => {
      const res = await fetch('/rpc/app.ping', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-soa-token': token },
        body: JSON.stringify({ message: 'from chromium' }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    }, e2e.app.bridge.token);
    expect(result).toMatchObject({ status: 200, body: { ok: true, value: { echo: 'from chromium' } } });
  });

  it('rejects an RPC without the token with 401 even from the page origin', async () => {
    const status = await e2e.page.evaluate(
      async () => (await fetch('/rpc/app.info', { method: 'POST', body: '{}' })).status,
    );
    expect(status).toBe(401);
  });

  it('answers a malformed payload with a structured validation error', async () => {
    const body = await e2e.page.evaluate(async (token) => {
      const res = await fetch('/rpc/app.ping', {
        method: 'POST',
        headers: { 'x-soa-token': token },
        body: '{"message": 5}',
      });
      return (await res.json()) as unknown;
    }, e2e.app.bridge.token);
    expect(body).toMatchObject({ ok: false, error: { code: 'validation', detail: [{ path: 'message' }] } });
  });
});
