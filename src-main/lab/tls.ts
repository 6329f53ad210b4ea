/**
 * The lab's committed, lab-only TLS material (`resources/lab/`, see its README): a CA and a
 * localhost certificate (SAN localhost, 127.0.0.1, ::1), plus the token-signing key.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../paths';

export function labResourcesDir(): string {
  return path.join(resourcesDir(), 'lab');
}

export interface LabTlsFiles {
  caCertPath: string;
  certPath: string;
  keyPath: string;
  tokenSigningKeyPath: string;
}

export function labTlsFiles(): LabTlsFiles {
  const dir = labResourcesDir();
  return {
    caCertPath: path.join(dir, 'ca.pem'),
    certPath: path.join(dir, 'localhost.pem'),
    keyPath: path.join(dir, 'localhost-key.pem'),
    tokenSigningKeyPath: path.join(dir, 'token-signing-key.pem'),
  };
}

/** Options for `https.createServer`. */
export function labServerTlsOptions(): { cert: string; key: string } {
  const f = labTlsFiles();
  return { cert: readFileSync(f.certPath, 'utf8'), key: readFileSync(f.keyPath, 'utf8') };
}
