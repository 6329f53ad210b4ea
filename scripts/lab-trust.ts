/**
 * Chromium trusts the lab's TLS certificate through `--ignore-certificate-errors-spki-list`, which
 * takes base64 SHA-256 hashes of SubjectPublicKeyInfo. We read the leaf from a live TLS handshake
 * (so it is always the certificate the lab really serves) and add the CA's.
 */
import tls from 'node:tls';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

function spkiHash(cert: X509Certificate): string {
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

export async function labSpkiHashes(httpsUrl: string, caCertPath: string): Promise<string[]> {
  const ca = readFileSync(caCertPath, 'utf8');
  const url = new URL(httpsUrl);
  const leaf = await new Promise<X509Certificate>((resolve, reject) => {
    const socket = tls.connect(
      {
        host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname,
        port: Number(url.port || 443),
        servername: url.hostname,
        ca,
      },
      () => {
        const peer = socket.getPeerCertificate(false);
        socket.end();
        resolve(new X509Certificate(peer.raw));
      },
    );
    socket.on('error', reject);
  });
  return [spkiHash(leaf), spkiHash(new X509Certificate(ca))];
}

/** Chromium flags for a headless or visible run against the lab. */
export function chromiumArgs(spki: string[], headless: boolean): string[] {
  return [
    ...(headless ? ['--headless=new'] : []),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--ignore-certificate-errors-spki-list=${spki.join(',')}`,
  ];
}
