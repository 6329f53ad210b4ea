import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

interface BuilderConfig {
  asar: boolean;
  files: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  win: { target: { target: string; arch: string[] }[] };
  electronFuses: Record<string, boolean>;
}

const config = JSON.parse(readFileSync('electron-builder.json', 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string; scripts: Record<string, string> };

describe('electron-builder config (checked without running the builder)', () => {
  it('builds NSIS and portable for Windows x64', () => {
    expect(config.win.target).toEqual([
      { target: 'nsis', arch: ['x64'] },
      { target: 'portable', arch: ['x64'] },
    ]);
  });

  it('packs the app into asar and ships only resources/powershell as extraResources (no lab keys)', () => {
    expect(config.asar).toBe(true);
    expect(config.extraResources).toEqual([{ from: 'resources/powershell', to: 'powershell', filter: ['**/*'] }]);
    expect(config.files).toContain('out/**/*');
  });

  it('locks down the Electron fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // off: the UI comes from the app:// scheme, never from file:// (src-main/renderer-assets.ts)
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('points package.json main at the electron-vite output', () => {
    expect(pkg.main).toBe('./out/main/index.js');
  });
});
