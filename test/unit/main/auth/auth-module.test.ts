import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../../src-main/services';

const sender = { kind: 'bridge' as const, remoteAddress: '127.0.0.1' };
let services: Services | undefined;

afterEach(async () => {
  await services?.dispose();
  services = undefined;
});

function make(): Services {
  services = createServices({
    transport: 'browser',
    dataDir: mkdtempSync(path.join(tmpdir(), 'soa-auth-mod-')),
    settingsOverride: { tenant: 'contoso.onmicrosoft.com', clientId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346' },
    validateSender: () => true,
  });
  return services;
}

describe('auth module through the router', () => {
  it('reports not signed in with an in-memory cache and a reason', async () => {
    const s = make();
    const r = await s.router.dispatch('auth.status', {}, sender, () => undefined);
    expect(r).toMatchObject({ ok: true, value: { signedIn: false, cache: { persistence: 'memory' } } });
    if (r.ok) expect((r.value as { cache: { message: string } }).cache.message).toMatch(/memory only/);
  });

  it('refuses a token before sign-in with notSignedIn', async () => {
    const s = make();
    const r = await s.router.dispatch(
      'auth.getAccessToken',
      { scopes: ['OrgContact.Read.All'] },
      sender,
      () => undefined,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'notSignedIn' } });
  });

  it('returns the admin-consent URL for the configured registration', async () => {
    const s = make();
    const r = await s.router.dispatch(
      'settings.consentUrl',
      { scopes: ['AuditLog.Read.All'] },
      sender,
      () => undefined,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const url = new URL((r.value as { url: string }).url);
    expect(url.pathname).toBe('/contoso.onmicrosoft.com/v2.0/adminconsent');
    expect(url.searchParams.get('client_id')).toBe('5e3ce6c0-2b1f-4285-8d4b-75ee78787346');
  });
});
