/**
 * The lab's per-machine PKI: generated on first start, the CA name-constrained (critical) to the
 * loopback names, its private key never written, and a TLS client trusting it refuses any other name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import { createLabCa, ensureLabPki, issueServerCertificate, labPkiFiles } from '../../../../src-main/lab/pki';

let base: string;
beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'soa-pki-test-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function nameConstraintsOf(pem: string) {
  const cert = AsnConvert.parse(new X509Certificate(pem).raw, Certificate);
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_nameConstraints);
  if (!ext) return undefined;
  const nc = AsnConvert.parse(ext.extnValue.buffer, NameConstraints);
  return {
    critical: ext.critical,
    permitted: (nc.permittedSubtrees ?? []).map((s) => s.base.dNSName ?? s.base.iPAddress),
    excluded: nc.excludedSubtrees,
  };
}

/** Connects a Node TLS client trusting `caPem` to a server presenting `cert`, as `servername`. */
async function handshake(caPem: string, cert: { certPem: string; keyPem: string }, servername: string) {
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<{ ok: true } | { ok: false; code: string; message: string }>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: caPem }, () => {
        socket.end();
        resolve({ ok: true });
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, code: e.code ?? '', message: e.message }));
    });
  } finally {
    server.close();
  }
}

describe('lab PKI', () => {
  it('generates the CA, the server certificate and the token-signing key on first start, owner-only, without the CA key', () => {
    const dir = path.join(base, 'first');
    expect(existsSync(dir)).toBe(false);
    const files = ensureLabPki(dir);
    expect(files).toEqual(labPkiFiles(dir));
    expect(readdirSync(dir).sort()).toEqual(['ca.pem', 'localhost-key.pem', 'localhost.pem', 'token-signing-key.pem']);
    expect(statSync(files.keyPath).mode & 0o077).toBe(0);
    expect(statSync(files.tokenSigningKeyPath).mode & 0o077).toBe(0);
    expect(statSync(dir).mode & 0o077).toBe(0);
    const leaf = new X509Certificate(readFileSync(files.certPath));
    expect(leaf.verify(new X509Certificate(readFileSync(files.caCertPath)).publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    // a second start reuses the same material (the SPKI hashes users may have pinned stay valid)
    const ca = readFileSync(files.caCertPath, 'utf8');
    ensureLabPki(dir);
    expect(readFileSync(files.caCertPath, 'utf8')).toBe(ca);
  });

  it('the CA carries a critical nameConstraints extension permitting only localhost, 127.0.0.1 and ::1', () => {
    const files = ensureLabPki(path.join(base, 'constraints'));
    const ca = new X509Certificate(readFileSync(files.caCertPath));
    expect(ca.ca).toBe(true);
    expect(nameConstraintsOf(ca.toString())).toEqual({
      critical: true,
      permitted: ['localhost', '127.0.0.1/32', '::1/128'],
      excluded: undefined,
    });
  });

  it('a TLS client trusting the CA accepts its loopback certificate and refuses one it signed for graph.microsoft.com', async () => {
    const ca = createLabCa();
    expect(nameConstraintsOf(ca.certPem)?.critical).toBe(true);
    const loopback = issueServerCertificate(ca, { dns: ['localhost'], ip: ['127.0.0.1', '::1'] });
    expect(await handshake(ca.certPem, loopback, 'localhost')).toEqual({ ok: true });
    const graph = issueServerCertificate(ca, { dns: ['graph.microsoft.com'], ip: [] });
    const refused = await handshake(ca.certPem, graph, 'graph.microsoft.com');
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok === false && `${refused.code} ${refused.message}`).toMatch(/PERMITTED|permitted subtree/i);
    const login = issueServerCertificate(ca, { dns: ['login.microsoftonline.com'], ip: [] });
    expect((await handshake(ca.certPem, login, 'login.microsoftonline.com')).ok).toBe(false);
    const otherIp = issueServerCertificate(ca, { dns: [], ip: ['10.0.0.1'] });
    expect((await handshake(ca.certPem, otherIp, '')).ok).toBe(false);
  });

  it('regenerates damaged or nearly expired material', () => {
    const dir = path.join(base, 'renew');
    const files = ensureLabPki(dir);
    const first = readFileSync(files.caCertPath, 'utf8');
    writeFileSync(files.keyPath, 'garbage');
    ensureLabPki(dir);
    const second = readFileSync(files.caCertPath, 'utf8');
    expect(second).not.toBe(first);
    const in360Days = new Date(Date.now() + 360 * 24 * 3600 * 1000);
    ensureLabPki(dir, in360Days);
    expect(readFileSync(files.caCertPath, 'utf8')).not.toBe(second);
  });
});
