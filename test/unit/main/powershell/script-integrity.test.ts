import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ScriptIntegrityError,
  ScriptLoader,
  builtScriptHashes,
  hashScriptDir,
  scriptLoaderFor,
  sha256Hex,
} from '../../../../src-main/powershell/script-integrity';
import { powershellDir } from '../../../../src-main/paths';
import config from '../../../../electron.vite.config';

const dirs: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'soa-integrity-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hashScriptDir', () => {
  it('hashes every top-level .ps1 by file name, and nothing else', () => {
    const dir = folder({ 'A-SoaX.ps1': 'a', 'notes.md': 'n' });
    mkdirSync(path.join(dir, 'lab'));
    writeFileSync(path.join(dir, 'lab', 'B-SoaY.ps1'), 'b');
    expect(hashScriptDir(dir)).toEqual({ 'A-SoaX.ps1': sha256Hex('a') });
  });
});

describe('ScriptLoader', () => {
  it('hands out the text of a script that matches its hash (without a byte-order mark)', () => {
    const dir = folder({ 'Get-SoaX.ps1': '\uFEFFfunction Get-SoaX { 1 }' });
    const loader = new ScriptLoader(dir, hashScriptDir(dir), 'explicit');
    expect(loader.text('Get-SoaX')).toBe('function Get-SoaX { 1 }');
  });

  it('refuses a changed script, naming the file and what to do', () => {
    const dir = folder({ 'Get-SoaX.ps1': 'function Get-SoaX { 1 }' });
    const loader = new ScriptLoader(dir, hashScriptDir(dir), 'explicit');
    writeFileSync(path.join(dir, 'Get-SoaX.ps1'), 'function Get-SoaX { Remove-Item C:\\ }');
    expect(() => loader.text('Get-SoaX')).toThrow(ScriptIntegrityError);
    expect(() => loader.text('Get-SoaX')).toThrow(/Get-SoaX\.ps1 .*was changed after this build.*Reinstall soa-pilot/);
  });

  it('refuses a script the hashes do not list, and one that cannot be read', () => {
    const dir = folder({ 'Get-SoaX.ps1': 'x' });
    const loader = new ScriptLoader(dir, { 'Get-SoaGone.ps1': sha256Hex('y') }, 'explicit');
    expect(() => loader.text('Get-SoaX')).toThrow(/not one of the PowerShell scripts this build/);
    expect(() => loader.text('Get-SoaGone')).toThrow(/could not be read/);
  });

  it('keeps the verified text: a change after the check does not reach the session', () => {
    const dir = folder({ 'Get-SoaX.ps1': 'good' });
    const loader = new ScriptLoader(dir, hashScriptDir(dir), 'explicit');
    expect(loader.text('Get-SoaX')).toBe('good');
    writeFileSync(path.join(dir, 'Get-SoaX.ps1'), 'evil');
    expect(loader.text('Get-SoaX')).toBe('good');
  });
});

describe('where the hashes come from', () => {
  it('explicit hashes win; an unbuilt run takes the files as found at the first start', () => {
    expect(builtScriptHashes()).toBeUndefined();
    const dir = folder({ 'Get-SoaX.ps1': 'one' });
    expect(scriptLoaderFor(dir, { 'Get-SoaX.ps1': sha256Hex('two') }).source).toBe('explicit');
    const first = scriptLoaderFor(dir);
    expect(first.source).toBe('files at start');
    writeFileSync(path.join(dir, 'Get-SoaX.ps1'), 'changed during the run');
    // a later session of the same process still checks against the hashes taken at the first start
    expect(() => scriptLoaderFor(dir).text('Get-SoaX')).toThrow(ScriptIntegrityError);
  });

  it('the Electron build bakes in the hash of every production script', () => {
    const main = (config as { main?: { define?: Record<string, string> } }).main;
    const baked = JSON.parse(main?.define?.__SOA_SCRIPT_HASHES__ ?? 'null') as unknown;
    expect(baked).toEqual(hashScriptDir(powershellDir()));
    expect(Object.keys(baked as object)).toContain('Initialize-SoaSession.ps1');
  });
});
