/**
 * The lab's access-token lifetime: Entra's default (a random 60–90 minutes per token), a fixed
 * lifetime from `startLab({ tokenLifetimeSeconds })` or the `tokenLifetimeSeconds` setting alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../../src-main/lab/index';
import { tokenLifetimeOf } from '../../../../src-main/lab/identity/identity';
import { defaultSettings } from '../../../../src-main/lab/tenant/model';

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
