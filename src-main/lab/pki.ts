/**
 * The lab's TLS and token-signing material, generated per machine on first start (never committed,
 * never shipped): a CA, the loopback server certificate it signs, and the RS256 token-signing key.
 *
 * - The CA is name-constrained (X.509 nameConstraints, critical) to `localhost`, `127.0.0.1` and
 *   `::1`: even a browser that trusts it refuses a certificate for any other name.
 * - The CA's private key is used once, to sign the server certificate, and never written anywhere.
 *   No one, not even this machine's user, can mint another certificate under it.
 * - Files live in the user's data folder (`~/.soa-pilot/lab/pki`, or `SOA_LAB_PKI_DIR`; tests use a
 *   temp folder), owner-only. Expired or damaged material is regenerated.
 *
 * Certificates are assembled with @peculiar/asn1-x509 (the ASN.1 structures of RFC 5280) and signed
 * with Node's crypto. See docs/security.md.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  NameConstraints,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { createHash } from 'node:crypto';

/** The only names a lab certificate may carry. */
export const LAB_DNS_NAMES = ['localhost'] as const;
export const LAB_IP_ADDRESSES = ['127.0.0.1', '::1'] as const;

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';
const DAY = 24 * 60 * 60 * 1000;
const VALIDITY_DAYS = 365;
/** Regenerate when the server certificate has less than this left. */
const RENEW_BEFORE_DAYS = 30;

export interface LabPkiFiles {
  dir: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
  tokenSigningKeyPath: string;
}

export function labPkiFiles(dir: string): LabPkiFiles {
  return {
    dir,
    caCertPath: path.join(dir, 'ca.pem'),
    certPath: path.join(dir, 'localhost.pem'),
    keyPath: path.join(dir, 'localhost-key.pem'),
    tokenSigningKeyPath: path.join(dir, 'token-signing-key.pem'),
  };
}

/** `SOA_LAB_PKI_DIR`, else `~/.soa-pilot/lab/pki` (per user, per machine). */
export function defaultLabPkiDir(env: Record<string, string | undefined> = process.env): string {
  return env.SOA_LAB_PKI_DIR || path.join(os.homedir(), '.soa-pilot', 'lab', 'pki');
}

function name(cn: string): Name {
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) }),
    ]);
  return new Name([rdn(ORGANIZATION, 'soa-pilot lab'), rdn(COMMON_NAME, cn)]);
}

function spkiOf(key: KeyObject): SubjectPublicKeyInfo {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return AsnConvert.parse(der, SubjectPublicKeyInfo);
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits (an identifier, not a security function). */
function keyIdOf(spki: SubjectPublicKeyInfo): Uint8Array {
  return new Uint8Array(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest());
}

const ext = (extnID: string, critical: boolean, value: unknown) =>
  new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

function signCertificate(tbs: TBSCertificate, issuerKey: KeyObject): string {
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, issuerKey); // DER-encoded ECDSA-Sig-Value, as X.509 wants
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    signatureValue: new Uint8Array(signature).buffer,
  });
  return new X509Certificate(Buffer.from(AsnConvert.serialize(cert))).toString();
}

function serial(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive, non-zero, fixed length
  return new Uint8Array(bytes).buffer;
}

function validity(now: Date): Validity {
  return new Validity({
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + VALIDITY_DAYS * DAY),
  });
}

export interface LabCa {
  certPem: string;
  /** Held in memory only while issuing; `ensureLabPki` never writes it. */
  privateKey: KeyObject;
  subject: Name;
  keyId: Uint8Array;
}

/** A new lab CA, name-constrained (critical) to localhost, 127.0.0.1 and ::1. */
export function createLabCa(now = new Date()): LabCa {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = spkiOf(privateKey);
  const keyId = keyIdOf(spki);
  const subject = name(`soa-pilot lab CA (this machine only, ${now.toISOString().slice(0, 10)})`);
  const permitted = new GeneralSubtrees([
    ...LAB_DNS_NAMES.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    new GeneralSubtree({ base: new GeneralName({ iPAddress: '127.0.0.1/32' }) }),
    new GeneralSubtree({ base: new GeneralName({ iPAddress: '::1/128' }) }),
  ]);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial(),
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: subject,
    subject,
    validity: validity(now),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      ext(id_ce_nameConstraints, true, new NameConstraints({ permittedSubtrees: permitted })),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
    ]),
  });
  return { certPem: signCertificate(tbs, privateKey), privateKey, subject, keyId };
}

/**
 * A TLS server certificate signed by `ca` for the given names. It does not check the names: the
 * CA's constraints are what a client enforces (the lab only ever asks for the loopback names).
 */
export function issueServerCertificate(
  ca: LabCa,
  names: { dns: readonly string[]; ip: readonly string[] },
  now = new Date(),
): { certPem: string; keyPem: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = spkiOf(privateKey);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial(),
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    issuer: ca.subject,
    subject: name(names.dns[0] ?? names.ip[0] ?? 'localhost'),
    validity: validity(now),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
      ext(
        id_ce_subjectAltName,
        false,
        new SubjectAlternativeName([
          ...names.dns.map((dNSName) => new GeneralName({ dNSName })),
          ...names.ip.map((iPAddress) => new GeneralName({ iPAddress })),
        ]),
      ),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdOf(spki))),
      ext(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(ca.keyId) }),
      ),
    ]),
  });
  return {
    certPem: signCertificate(tbs, ca.privateKey),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** True when the folder holds a complete, parseable set whose server certificate is not about to expire. */
function usable(files: LabPkiFiles, now: Date): boolean {
  try {
    const ca = new X509Certificate(readFileSync(files.caCertPath));
    const leaf = new X509Certificate(readFileSync(files.certPath));
    createPrivateKey(readFileSync(files.keyPath));
    createPrivateKey(readFileSync(files.tokenSigningKeyPath));
    return (
      leaf.verify(ca.publicKey) &&
      leaf.checkPrivateKey(createPrivateKey(readFileSync(files.keyPath))) &&
      new Date(leaf.validTo).getTime() - now.getTime() > RENEW_BEFORE_DAYS * DAY
    );
  } catch {
    return false;
  }
}

function writeSet(dir: string, now: Date): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = labPkiFiles(dir);
  const ca = createLabCa(now);
  const server = issueServerCertificate(ca, { dns: LAB_DNS_NAMES, ip: LAB_IP_ADDRESSES }, now);
  const tokenKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const write = (file: string, text: string, mode: number) => writeFileSync(file, text, { mode, flag: 'wx' });
  write(files.caCertPath, ca.certPem, 0o644);
  write(files.certPath, server.certPem, 0o644);
  write(files.keyPath, server.keyPem, 0o600);
  write(files.tokenSigningKeyPath, tokenKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
}

/**
 * The lab's material in `dir`, generated on first use (or when expired or damaged). Safe when several
 * processes start at once: each builds in its own folder and the first to rename it into place wins.
 */
export function ensureLabPki(dir: string = defaultLabPkiDir(), now = new Date()): LabPkiFiles {
  const files = labPkiFiles(path.resolve(dir));
  if (usable(files, now)) return files;
  mkdirSync(path.dirname(files.dir), { recursive: true, mode: 0o700 });
  const staging = `${files.dir}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeSet(staging, now);
  if (existsSync(files.dir) && !usable(files, now)) {
    rmSync(files.dir, { recursive: true, force: true });
  }
  try {
    renameSync(staging, files.dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    // Another process put a usable set in place first.
    if (!usable(files, now)) throw e;
  }
  return files;
}
