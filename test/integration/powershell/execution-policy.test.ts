/**
 * The scripts load as hash-checked text, so a machine execution policy cannot stop them, and a changed script
 * never runs. Real pwsh, the real bridge and the lab.
 *
 * pwsh on Linux has no execution policy, so AllSigned is simulated by a test module (allsigned/) that answers
 * every lookup of a script file with a refusal worded as Windows PowerShell's; the first test proves it bites.
 * Authenticode itself cannot be exercised here (see src-main/powershell/README.md, "Execution policy").
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import { labPowerShellConfig } from '../../../src-main/powershell/lab-config';
import { PowerShellError, PowerShellSession, type ScriptName } from '../../../src-main/powershell/session';
import { hashScriptDir } from '../../../src-main/powershell/script-integrity';
import { powershellDir } from '../../../src-main/paths';
import { ConnectSync } from '../../../src-main/sync/connect-sync';
import { syncedContact, transferContact } from '../sync/lab-bridge';

const guardDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'allsigned');

/** A copy of the production scripts (top level only) in a temp folder, plus extra files. */
function scriptCopy(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'soa-scripts-'));
  for (const name of readdirSync(powershellDir())) {
    if (name.endsWith('.ps1')) copyFileSync(path.join(powershellDir(), name), path.join(dir, name));
  }
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const ctx = () => ({ emit: () => {}, signal: new AbortController().signal });

describe('under a simulated machine policy of AllSigned', () => {
  let lab: LabHandle;
  let ps: PowerShellSession;
  let sync: ConnectSync;
  let dir: string;
  const probe = path.join(tmpdir(), `soa-allsigned-probe-${process.pid}.ps1`);
  const probeRan = path.join(tmpdir(), `soa-allsigned-probe-ran-${process.pid}`);

  beforeAll(async () => {
    lab = await startLab({ seed: 1, speed: 'fast', contacts: 12 });
    // A test-only script that runs a .ps1 FILE: what every call did before the scripts were loaded as text.
    dir = scriptCopy({
      'Test-SoaRunFile.ps1': 'function Test-SoaRunFile { param([string]$Path) . $Path; return "ran" }\n',
    });
    writeFileSync(probe, `New-Item -ItemType File -Path '${probeRan}' | Out-Null\n`);
    const target = labPowerShellConfig(lab.info);
    ps = new PowerShellSession({
      ...target,
      // the guard first: every module and script after it loads under the simulated policy
      modulePaths: [guardDir, ...(target.modulePaths ?? [])],
      scriptDir: dir,
      scriptHashes: hashScriptDir(dir),
      defaultTimeoutMs: 60_000,
    });
    sync = new ConnectSync(ps, { timing: { pollMs: 150, startGraceMs: 10_000, callTimeoutMs: 60_000 } });
  });
  afterAll(async () => {
    await ps?.dispose();
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(probe, { force: true });
    rmSync(probeRan, { force: true });
  });

  it('is in force: running a script file is refused, and the file does not run', async () => {
    const call = ps.run('Test-SoaRunFile' as ScriptName, { Path: probe }, z.string());
    await expect(call).rejects.toThrow(/is not digitally signed/);
    expect(existsSync(probeRan)).toBe(false);
  });

  it('every server operation works', async () => {
    const before = ps.callCount;
    const echo = await ps.run('Test-SoaEcho', { Value: 'é ü 中' }, z.object({ value: z.unknown() }).passthrough());
    expect(echo.value).toBe('é ü 中');
    const environment = await sync.environment();
    expect(environment.checks.find((c) => c.id === 'utf8Console')?.status).toBe('pass');
    expect((await sync.adConnectors()).connectors.length).toBeGreaterThan(0);
    expect(await sync.scheduler()).toBeTruthy();

    const c = await syncedContact(lab);
    await transferContact(lab, c.cloudId, true);
    // Start-SoaSyncCycle, Get-SoaSyncCycleState and Get-SoaRunProfileResult
    const cycle = () =>
      sync.runSyncCycle(
        { operationId: crypto.randomUUID(), policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true },
        ctx(),
      );
    expect((await cycle()).status).toBe('completed');

    const found = await sync.findOnPremContact({ dn: c.dn });
    expect(found.matches).toHaveLength(1);
    const mail = found.matches[0]?.mail;
    const many = await sync.findOnPremContacts({ queries: [{ key: 'k', ...(mail ? { mail } : {}) }] });
    expect(many.results[0]?.matches.map((m) => m.distinguishedName)).toEqual([c.dn]);
    expect(await sync.traceObject({ dn: c.dn })).toMatchObject({ status: 'traced', blockOnPremisesSync: true });
    const traces = await sync.traceObjects({ dns: [c.dn] });
    expect(traces.traces[0]).toMatchObject({ status: 'traced', blockOnPremisesSync: true });

    const since = new Date(Date.now() - 1000).toISOString();
    const touched = await sync.touchOnPremObject({ dn: c.dn, confirm: true, description: `changed ${since}` });
    expect((await cycle()).status).toBe('completed');
    const events = await sync.events6956({ since, dn: c.dn, maxEvents: 20 });
    expect(events.events.map((e) => e.dn?.toLowerCase())).toContain(c.dn.toLowerCase());
    await sync.restoreOnPremObject({
      dn: c.dn,
      confirm: true,
      description: touched.oldDescription,
      attribute: touched.attribute,
    });
    expect(ps.callCount - before).toBeGreaterThan(10);
  });
});

describe('a script changed after the build', () => {
  const canary = path.join(tmpdir(), `soa-tampered-canary-${process.pid}`);
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(canary, { force: true });
  });

  it('is refused with a message naming the file, and nothing of it runs; the other scripts still work', async () => {
    const dir = scriptCopy();
    dirs.push(dir);
    const hashes = hashScriptDir(dir);
    appendFileSync(path.join(dir, 'Test-SoaEcho.ps1'), `\nNew-Item -ItemType File -Path '${canary}' | Out-Null\n`);
    const ps = new PowerShellSession({ scriptDir: dir, scriptHashes: hashes, defaultTimeoutMs: 30_000 });
    try {
      const call = ps.run('Test-SoaEcho', { Value: 'x' }, z.unknown());
      await expect(call).rejects.toBeInstanceOf(PowerShellError);
      await expect(call).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/Test-SoaEcho\.ps1 .*was changed after this build.*Reinstall soa-pilot/),
      });
      expect(existsSync(canary)).toBe(false);
      // the session itself and the unchanged scripts are unaffected
      const info = await ps.info();
      expect(info.psVersion).toBeTruthy();
      const env = await ps.run('Get-SoaEnvironment', {}, z.object({ checks: z.array(z.unknown()) }).passthrough());
      expect(env.checks.length).toBeGreaterThan(0);
      expect(existsSync(canary)).toBe(false);
    } finally {
      await ps.dispose();
    }
  });

  it('refuses to start a session when Initialize-SoaSession.ps1 was changed; no PowerShell is started', async () => {
    const dir = scriptCopy();
    dirs.push(dir);
    const hashes = hashScriptDir(dir);
    appendFileSync(path.join(dir, 'Initialize-SoaSession.ps1'), `\nNew-Item -ItemType File -Path '${canary}'\n`);
    const ps = new PowerShellSession({ scriptDir: dir, scriptHashes: hashes });
    try {
      await expect(ps.info()).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/Initialize-SoaSession\.ps1 .*was changed after this build/),
      });
      expect(ps.startCount).toBe(0);
      expect(existsSync(canary)).toBe(false);
    } finally {
      await ps.dispose();
    }
  });
});
