/**
 * The Settings view and the cloud endpoints, in Chromium against browser mode and the lab: the
 * endpoints are fixed to a national cloud (or the lab) until the admin turns on "custom cloud", which
 * shows a warning; a foreign host is refused without it; changing the endpoints signs the admin out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness';
import { expectAccessible, expectSignedIn, openApp, signIn } from './wizard-flow';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ contacts: 10 });
});
afterAll(() => e2e?.close());

/** One RPC from the page's origin, with the session token the test holds (the page keeps its own in memory). */
async function rpc(op: string, input: unknown): Promise<unknown> {
  return e2e.page.evaluate(
    async ({ op, input, token }) => {
      const res = await fetch(`/rpc/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-soa-token': token },
        body: JSON.stringify(input),
      });
      return (await res.json()) as unknown;
    },
    { op, input, token: e2e.app.bridge.token },
  );
}

describe('Settings: national clouds, custom cloud and sign-out', () => {
  it('refuses a foreign authority from the page without custom cloud, and keeps the session', async () => {
    const { page, lab } = e2e;
    await openApp(e2e);
    await signIn(page, lab.info.admins.find((a) => a.upn.startsWith('hybrid.admin@'))!.upn);
    await expectSignedIn(page, lab.info.admins.find((a) => a.upn.startsWith('hybrid.admin@'))!.upn);
    expect(await rpc('settings.set', { authorityHost: 'https://login.evil.example' })).toMatchObject({
      ok: false,
      error: { code: 'validation', message: expect.stringContaining('Custom cloud') as unknown },
    });
    expect(await rpc('auth.status', {})).toMatchObject({ ok: true, value: { signedIn: true } });
  });

  it('keeps the endpoints read-only until custom cloud is on, and warns when it is', async () => {
    const { page } = e2e;
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByTestId('settings-view').waitFor();
    expect(await page.locator('#s-authority').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByTestId('settings-custom-cloud-warning').count()).toBe(0);
    await page.getByTestId('settings-custom-cloud').check();
    await page.getByTestId('settings-custom-cloud-warning').waitFor();
    expect(await page.locator('#s-authority').getAttribute('readonly')).toBeNull();
    await expectAccessible(page, 'settings with custom cloud');
    await e2e.screenshot('settings-custom-cloud');
  });

  it('saves a custom cloud only with the box ticked, and changing the endpoints signs the admin out', async () => {
    const { page } = e2e;
    await page.locator('#s-authority').fill('https://login.sovereign.example');
    await page.locator('#s-graph').fill('https://graph.sovereign.example');
    await page.getByTestId('settings-custom-cloud').uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByTestId('message-error').textContent()).toContain('Custom cloud');
    expect(await rpc('auth.status', {})).toMatchObject({ ok: true, value: { signedIn: true } });

    await page.getByTestId('settings-custom-cloud').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(await rpc('settings.get', {})).toMatchObject({
      ok: true,
      value: {
        authorityHost: 'https://login.sovereign.example',
        graphEndpoint: 'https://graph.sovereign.example',
        customCloud: true,
      },
    });
    expect(await rpc('auth.status', {})).toMatchObject({ ok: true, value: { signedIn: false } });
  });
});
