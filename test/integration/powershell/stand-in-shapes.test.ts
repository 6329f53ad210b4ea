/**
 * The lab stand-ins, held by Pester (test/powershell/StandInShapes.Tests.ps1) against the checked-in
 * descriptions of the real ADSync types (test/powershell/adsync-types/*.json), on a running lab.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPowerShellExe } from '../../../src-main/powershell/session';
import { labBridge, syncedContact, type LabBridge } from '../sync/lab-bridge';

const root = path.resolve(import.meta.dirname, '../../..');

function pesterPath(): string | undefined {
  const fromEnv = process.env.SOA_PESTER_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const file = path.join(root, '.tools', 'pester-path.txt');
  if (!existsSync(file)) return undefined;
  const p = readFileSync(file, 'utf8').split('\n')[0]?.trim();
  return p && existsSync(p) ? p : undefined;
}

let b: LabBridge;

beforeAll(async () => {
  b = await labBridge({ contacts: 6 });
  const r = await b.sync.runSyncCycle(
    { policyType: 'Delta', timeoutSeconds: 60, waitIfBusy: true, operationId: 'shapes' },
    { emit: () => undefined, signal: new AbortController().signal },
  );
  expect(r.status).toBe('completed');
}, 90_000);
afterAll(async () => {
  await b.close();
});

describe('stand-in shapes (Pester, on the lab)', () => {
  it('every stand-in has exactly the members and types of the real ADSync type', async () => {
    const pester = pesterPath();
    expect(pester, 'Pester not found: run bash scripts/provision.sh pester').toBeTruthy();
    const { dn } = await syncedContact(b.lab);
    const script = [
      `Import-Module -Name $env:SOA_PESTER_PATH -Force`,
      `$c = New-PesterConfiguration`,
      `$c.Run.Path = $env:SOA_PESTER_FILE`,
      `$c.Run.PassThru = $true`,
      `$c.Output.Verbosity = 'Detailed'`,
      `$r = Invoke-Pester -Configuration $c`,
      `'PESTER ' + $r.PassedCount + ' ' + $r.FailedCount + ' ' + $r.SkippedCount`,
    ].join('; ');
    const env = {
      ...process.env,
      NO_COLOR: '1',
      SOA_PESTER_PATH: pester,
      SOA_PESTER_FILE: path.join(root, 'test', 'powershell', 'StandInShapes.Tests.ps1'),
      SOA_LAB_CONTROL_URL: b.lab.info.controlUrl,
      SOA_LAB_CONTROL_TOKEN: b.lab.info.controlToken,
      SOA_TEST_DN: dn,
    };
    // Asynchronous on purpose: the lab serves the stand-ins' requests from this process.
    const run = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        defaultPowerShellExe(),
        ['-NoProfile', '-NonInteractive', '-Command', script],
        { cwd: root, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 * 1024 * 1024, env },
        (_error, stdout, stderr) => resolve({ stdout, stderr }),
      );
    });
    const out = `${run.stdout}\n${run.stderr}`;
    const m = /PESTER (\d+) (\d+) (\d+)/.exec(out);
    expect(m, out.slice(-4000)).toBeTruthy();
    expect({ failed: Number(m?.[2]), skipped: Number(m?.[3]) }, out.slice(-4000)).toEqual({ failed: 0, skipped: 0 });
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(13);
  }, 320_000);
});
