/**
 * The real bridge on the real pwsh (.tools/pwsh): values round-trip intact, nothing executes,
 * calls are serialised, a timeout really stops the work, and a killed shell is replaced.
 */
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PowerShellSession, PowerShellError } from '../../../src-main/powershell/session';
import { canaryPath, hostileValues } from './hostile-values';

const echo = z.object({
  value: z.unknown(),
  type: z.string(),
  length: z.number().nullable(),
  codePoints: z.array(z.number()).nullable(),
  processId: z.number(),
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

let ps: PowerShellSession;

beforeAll(() => {
  rmSync(canaryPath, { force: true });
  ps = new PowerShellSession({ defaultTimeoutMs: 30_000 });
});
afterAll(async () => {
  await ps.dispose();
  rmSync(canaryPath, { force: true });
});

describe('PowerShell session', () => {
  it('starts lazily, -NoProfile -NonInteractive, and reports PowerShell 7.6.9', async () => {
    expect(ps.pid).toBeUndefined();
    const info = await ps.info();
    expect(info.psVersion).toBe('7.6.9');
    expect(info.psEdition).toBe('Core');
    expect(ps.pid).toBe(info.processId);
    expect(info.modules).toEqual([]);
  });

  it.each(Object.entries(hostileValues))('passes %s through intact without executing it', async (_name, value) => {
    const r = await ps.run('Test-SoaEcho', { Value: value }, echo);
    expect(r.value).toBe(value);
    expect(r.codePoints).toEqual([...value].flatMap((c) => [...Array(c.length).keys()].map((i) => c.charCodeAt(i))));
    expect(existsSync(canaryPath)).toBe(false);
  });

  it('serialises concurrent calls and clears node-powershell history', async () => {
    const values = Array.from({ length: 8 }, (_, i) => `v${i}`);
    const results = await Promise.all(values.map((v) => ps.run('Test-SoaEcho', { Value: v }, echo)));
    expect(results.map((r) => r.value)).toEqual(values);
    expect(ps.historySize).toBe(0);
  });

  it('turns a script failure into a typed error that keeps the FullyQualifiedErrorId', async () => {
    const err = await ps
      .run('Set-SoaOnPremDescription', { DistinguishedName: 'CN=x', Confirmed: false }, z.unknown())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PowerShellError);
    expect(err).toMatchObject({ code: 'refused', fqid: 'Soa.refused' });
  });

  it('reports the data shape mismatch of a script clearly', async () => {
    const err = await ps.run('Test-SoaEcho', { Value: 1 }, z.object({ nope: z.string() })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'powershell' });
    expect(String((err as Error).message)).toMatch(/unexpected shape/);
  });

  it('stops a call that runs past its timeout, then works again in a new shell', async () => {
    const before = (await ps.run('Test-SoaEcho', {}, echo)).processId;
    const err = await ps.run('Test-SoaEcho', { DelayMs: 60_000 }, echo, { timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PowerShellError);
    expect(err).toMatchObject({ code: 'timeout' });
    expect(await waitDead(before)).toBe(true);
    const after = await ps.run('Test-SoaEcho', { Value: 'ok' }, echo);
    expect(after.value).toBe('ok');
    expect(after.processId).not.toBe(before);
  });

  it('cancels a running call through its AbortSignal', async () => {
    const pid = (await ps.run('Test-SoaEcho', {}, echo)).processId;
    const ac = new AbortController();
    const call = ps.run('Test-SoaEcho', { DelayMs: 60_000 }, echo, { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 500);
    expect(await call).toMatchObject({ code: 'cancelled' });
    expect(await waitDead(pid)).toBe(true);
    expect((await ps.run('Test-SoaEcho', { Value: 2 }, echo)).value).toBe(2);
  });

  it('recovers when the shell is killed in the middle of a call', async () => {
    const pid = (await ps.run('Test-SoaEcho', {}, echo)).processId;
    const call = ps.run('Test-SoaEcho', { DelayMs: 30_000 }, echo).catch((e: unknown) => e);
    setTimeout(() => process.kill(pid, 'SIGKILL'), 500);
    const err = await call;
    expect(err).toBeInstanceOf(PowerShellError);
    expect(err).toMatchObject({ code: 'powershell' });
    const next = await ps.run('Test-SoaEcho', { Value: 'alive' }, echo);
    expect(next.value).toBe('alive');
    expect(next.processId).not.toBe(pid);
  });

  it('recovers when the shell dies between calls', async () => {
    const pid = (await ps.run('Test-SoaEcho', {}, echo)).processId;
    process.kill(pid, 'SIGKILL');
    expect(await waitDead(pid)).toBe(true);
    const next = await ps.run('Test-SoaEcho', { Value: 'again' }, echo);
    expect(next.value).toBe('again');
  });

  it('reports a missing executable as unavailable', async () => {
    const broken = new PowerShellSession({ exe: '/nonexistent/pwsh' });
    const err = await broken.run('Test-SoaEcho', {}, echo).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable' });
    await broken.dispose();
  });
});
