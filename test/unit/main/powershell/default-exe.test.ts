/** Which PowerShell the app starts by default, in Electron and in browser mode (one rule for both). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPowerShellExe } from '../../../../src-main/powershell/session';
import { defaultPowerShell } from '../../../../src-main/bridge/browser-mode';
import { appRoot } from '../../../../src-main/paths';

describe('default PowerShell', () => {
  it('is powershell.exe (Windows PowerShell 5.1) on Windows, even with a pwsh 7 in .tools', () => {
    expect(defaultPowerShellExe('win32', () => true)).toBe('powershell.exe');
    expect(defaultPowerShellExe('win32', () => false)).toBe('powershell.exe');
  });

  it('is the provisioned .tools/pwsh elsewhere, else pwsh on PATH', () => {
    expect(defaultPowerShellExe('linux', () => true)).toBe(path.join(appRoot, '.tools', 'pwsh'));
    expect(defaultPowerShellExe('linux', () => false)).toBe('pwsh');
  });

  it('browser mode uses the same rule as the Electron session', () => {
    expect(defaultPowerShell()).toBe(defaultPowerShellExe());
  });
});
