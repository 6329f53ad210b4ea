/**
 * No private key is committed, and nothing the installer ships holds one: the lab makes its CA,
 * server key and token-signing key per machine on first start (src-main/lab/pki.ts).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// A PEM private-key block with a body (built from parts so this file does not match itself).
const PRIVATE_KEY_PEM = new RegExp('-----BEGIN ([A-Z0-9]+ )*' + 'PRIVATE KEY-----\\r?\\n[A-Za-z0-9+/=\\r\\n]{40,}');
const KEY_FILE_NAME = /(^|[-_.])key\.pem$|\.(key|p12|pfx)$/i;

function tracked(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((f) => f && existsSync(f) && statSync(f).isFile());
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

describe('no private keys in the repository or the installer', () => {
  it('the pattern finds a real key (so the scan below can fail)', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(PRIVATE_KEY_PEM.test(pem.toString())).toBe(true);
    expect(PRIVATE_KEY_PEM.test('-----BEGIN RSA ' + 'PRIVATE KEY-----\nMIIEow' + 'A'.repeat(60))).toBe(true);
  });

  it('no file in git ls-files contains a private key or is named like one', () => {
    const offenders = tracked().filter(
      (f) => KEY_FILE_NAME.test(path.basename(f)) || PRIVATE_KEY_PEM.test(readFileSync(f, 'latin1')),
    );
    expect(offenders).toEqual([]);
  });

  it('no folder electron-builder ships as extraResources holds a private key', () => {
    const config = JSON.parse(readFileSync('electron-builder.json', 'utf8')) as { extraResources: { from: string }[] };
    for (const { from } of config.extraResources) {
      expect(from).not.toMatch(/lab$/);
      const offenders = filesUnder(from).filter((f) => PRIVATE_KEY_PEM.test(readFileSync(f, 'latin1')));
      expect(offenders, from).toEqual([]);
    }
  });
});
