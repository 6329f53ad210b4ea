/**
 * Vitest global setup: the lab's per-machine PKI (src-main/lab/pki.ts) goes into a temp folder for the
 * whole run, made once here, so tests never write to the user's ~/.soa-pilot and every `startLab()`
 * shares one CA. Workers inherit SOA_LAB_PKI_DIR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLabPki } from '../src-main/lab/pki';

export default function setup(): () => void {
  if (process.env.SOA_LAB_PKI_DIR) {
    ensureLabPki(process.env.SOA_LAB_PKI_DIR);
    return () => {};
  }
  const base = mkdtempSync(path.join(os.tmpdir(), 'soa-lab-pki-'));
  process.env.SOA_LAB_PKI_DIR = path.join(base, 'pki');
  ensureLabPki(process.env.SOA_LAB_PKI_DIR);
  return () => rmSync(base, { recursive: true, force: true });
}
