/**
 * The lab's access-token lifetime: Entra's default (a random 60–90 minutes per token), a fixed
 * lifetime from `startLab({ tokenLifetimeSeconds })` or the `tokenLifetimeSeconds` setting alone;
 * and revoked sign-in sessions (refresh tokens issued before the revocation are refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { tokenLifetimeOf } from '../../../../src-main/lab/identity/identity';
import { defaultSettings } from '../../../../src-main/lab/tenant/model';
import { graph, rec, request } from './lab-http';

const UPN = 'hybrid.admin@contoso.onmicrosoft.com';

function lifetimeOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    iat: number;
    exp: number;
  };
  return payload.exp - payload.iat;
}

describe('lab access-token lifetime', () => {
  let lab: LabHandle;
  let fixed: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ seed: 3, speed: 'fast', contacts: 10 });
    fixed = await startLab({ seed: 3, speed: 'fast', contacts: 10, tokenLifetimeSeconds: 90 });
  });
  afterAll(async () => {
    await lab?.close();
    await fixed?.close();
  });

  it('defaults to 60–90 minutes, drawn per token', async () => {
    const d = defaultSettings('fast');
    expect(tokenLifetimeOf(d, () => 0)).toBe(3_600);
    expect(tokenLifetimeOf(d, (max) => max - 1)).toBe(5_400);
    const lifetimes = await Promise.all(
      Array.from({ length: 12 }, async () => lifetimeOf(await lab.mintToken(UPN, ['User.Read']))),
    );
    for (const l of lifetimes) {
      expect(l).toBeGreaterThanOrEqual(3_600);
      expect(l).toBeLessThanOrEqual(5_400);
    }
    expect(new Set(lifetimes).size).toBeGreaterThan(1);
  });

  it('a startLab option or the setting alone fixes the lifetime', async () => {
    expect(lifetimeOf(await fixed.mintToken(UPN, ['User.Read']))).toBe(90);
    const before = { ...lab.settings() };
    try {
      lab.updateSettings({ tokenLifetimeSeconds: 30 });
      expect(lab.settings().tokenLifetimeSpreadSeconds).toBe(0);
      expect(lifetimeOf(await lab.mintToken(UPN, ['User.Read']))).toBe(30);
      lab.updateSettings({ tokenLifetimeSeconds: 30, tokenLifetimeSpreadSeconds: 10 });
      const l = lifetimeOf(await lab.mintToken(UPN, ['User.Read']));
      expect(l).toBeGreaterThanOrEqual(30);
      expect(l).toBeLessThanOrEqual(40);
    } finally {
      lab.updateSettings({
        tokenLifetimeSeconds: before.tokenLifetimeSeconds,
        tokenLifetimeSpreadSeconds: before.tokenLifetimeSpreadSeconds,
      });
    }
  });
});

describe('lab revoked sign-in sessions', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ seed: 4, speed: 'fast', contacts: 10 });
  });
  afterAll(async () => {
    await lab?.close();
  });

  const issue = async (): Promise<{ access: string; refresh: string }> => {
    const r = await lab.control('POST', '/token', { upn: UPN, scopes: ['User.Read'] });
    expect(r.status).toBe(200);
    const b = rec(r.body);
    return { access: String(b.access_token), refresh: String(b.refresh_token) };
  };
  const redeem = (refresh: string) =>
    request(`${lab.info.authority}/oauth2/v2.0/token`, lab.info.caCertPath, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      raw: new URLSearchParams({
        client_id: lab.info.clientId,
        grant_type: 'refresh_token',
        refresh_token: refresh,
        scope: 'openid offline_access User.Read',
      }).toString(),
    });

  it('refuses refresh tokens issued before the revocation (AADSTS50173), keeps later ones and issued access tokens', async () => {
    const before = await issue();
    expect((await redeem(before.refresh)).status).toBe(200);

    await new Promise((r) => setTimeout(r, 5));
    const revoked = await lab.control('POST', '/revoke-sign-in-sessions', { upn: UPN });
    expect(revoked.status).toBe(200);
    expect(rec(revoked.body).refreshTokensRevoked).toBeGreaterThanOrEqual(1);

    const refused = await redeem(before.refresh);
    expect(refused.status).toBe(400);
    const body = rec(refused.json);
    expect(body.error).toBe('invalid_grant');
    expect(body.error_codes).toEqual([50173]);
    expect(String(body.error_description)).toMatch(
      /^AADSTS50173: The provided grant has expired due to it being revoked/,
    );

    // an access token issued before the revocation still works until it expires (no continuous access evaluation)
    expect((await graph(lab, '/v1.0/me', { token: before.access })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 5));
    const after = await issue();
    expect((await redeem(after.refresh)).status).toBe(200);
  });

  it('names an unknown user', async () => {
    expect(
      (await lab.control('POST', '/revoke-sign-in-sessions', { upn: 'nobody@contoso.onmicrosoft.com' })).status,
    ).toBe(404);
  });
});
