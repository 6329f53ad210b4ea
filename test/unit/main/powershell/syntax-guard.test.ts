/**
 * Windows PowerShell 5.1 syntax guard: every production script in resources/powershell/ (not lab/)
 * is parsed by PowerShell's own parser (test/powershell/Find-SoaForbiddenSyntax.ps1) and checked for
 * the 7-only operators and parameters listed in DEVELOPERS.md. A planted bad sample proves the guard bites.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appRoot } from '../../../../src-main/paths';
import { defaultPowerShellExe } from '../../../../src-main/powershell/session';

const violation = z.object({ file: z.string(), line: z.number(), rule: z.string(), text: z.string() });
type Violation = z.infer<typeof violation>;
const guard = path.join(appRoot, 'test', 'powershell', 'Find-SoaForbiddenSyntax.ps1');
const scriptDir = path.join(appRoot, 'resources', 'powershell');

function scan(files: string[]): Violation[] {
  const out = execFileSync(defaultPowerShellExe(), ['-NoProfile', '-NonInteractive', '-File', guard, ...files], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return z.array(violation).parse(JSON.parse(out.trim()));
}

const tmp = mkdtempSync(path.join(tmpdir(), 'soa-guard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// each test starts pwsh, which alone can take 30 s on a loaded 2-core machine
describe('PowerShell 5.1 syntax guard', { timeout: 120_000 }, () => {
  it('finds no 7-only syntax in the production scripts', () => {
    const files = readdirSync(scriptDir)
      .filter((f) => f.endsWith('.ps1'))
      .map((f) => path.join(scriptDir, f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(scan(files)).toEqual([]);
  });

  it('catches every forbidden construct in a planted bad sample', () => {
    const bad = path.join(tmp, 'Bad-Sample.ps1');
    writeFileSync(
      bad,
      [
        '$a = $null ?? 1',
        '$b ??= 2',
        '$c = ${a}?.Length',
        '$d = ${a}?[0]',
        '$f = $a?.Length',
        '$e = $true ? 1 : 2',
        'Get-Date && Get-Date',
        'Get-Date || Get-Date',
        '@(1) | ConvertTo-Json -AsArray',
        '1..3 | ForEach-Object -Parallel { $_ }',
        "'{}' | ConvertFrom-Json -AsHashtable",
        "'{}' | ConvertFrom-Json -Depth 3",
        'Get-Content x -AsByteStream',
        'Join-Path a b -AdditionalChildPath c',
        "Test-Json -Json '{}'",
        '$PSStyle.OutputRendering',
        'function F { process { } clean { } }',
        'class K { static [int] $N = 5 }',
        "'{}' | ConvertFrom-Json -AsHash",
      ].join('\n'),
    );
    const rules = scan([bad]).map((v) => v.rule);
    for (const expected of [
      'operator ??',
      'operator ??=',
      'operator ?.',
      'operator ?[',
      'ternary a ? b : c',
      'variable name ending in ? (meant ?. or ?[)',
      'pipeline chain &&',
      'pipeline chain ||',
      'ConvertTo-Json -AsArray',
      'ForEach-Object -Parallel',
      'ConvertFrom-Json -AsHashtable',
      'ConvertFrom-Json -Depth',
      'Get-Content -AsByteStream',
      'Join-Path -AdditionalChildPath',
      'command Test-Json',
      '$PSStyle',
      'clean {} block',
      'class static property initialiser',
    ]) {
      expect(rules, expected).toContain(expected);
    }
    expect(rules.filter((r) => r === 'ConvertFrom-Json -AsHashtable')).toHaveLength(2);
  });

  it('ignores the same text inside strings and comments', () => {
    const ok = path.join(tmp, 'Good-Sample.ps1');
    writeFileSync(
      ok,
      [
        '# a ?? b, a?.b, x && y, ConvertTo-Json -AsArray, $PSStyle',
        "$s = 'a ?? b ?. c && d || e ? f : g'",
        '$t = "ForEach-Object -Parallel and -AsHashtable"',
        '<# clean { } Test-Json #>',
        '$u = @{ Depth = 2 }; ConvertTo-Json -InputObject $u -Depth 3 -Compress',
        "if ($true) { 'x' } else { 'y' }",
      ].join('\n'),
    );
    expect(scan([ok])).toEqual([]);
  });

  it('rejects using after other statements', () => {
    const bad = path.join(tmp, 'Bad-Using.ps1');
    writeFileSync(bad, ['$x = 1', 'using namespace System.Text'].join('\n'));
    expect(scan([bad]).length).toBeGreaterThan(0);
  });
});
