/**
 * The lab's TLS material for its HTTPS server and its clients. Generated per machine on first start
 * (`./pki.ts`), never committed and never shipped; see docs/security.md.
 */
import { readFileSync } from 'node:fs';
import { ensureLabPki, type LabPkiFiles } from './pki';

export type { LabPkiFiles } from './pki';

/** The lab's files in `pkiDir` (default: the user's data folder), created when missing. */
export function labTlsFiles(pkiDir?: string): LabPkiFiles {
  return ensureLabPki(pkiDir);
}

/** Options for `https.createServer`. */
export function labServerTlsOptions(files: LabPkiFiles): { cert: string; key: string } {
  return { cert: readFileSync(files.certPath, 'utf8'), key: readFileSync(files.keyPath, 'utf8') };
}
