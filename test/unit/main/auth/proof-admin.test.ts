/**
 * "Prove it with another admin" in main: the real MSAL-node against the lab. A second account signs in
 * for one proof write on an in-memory client; its token is handed out only for the proof's scopes and
 * only until the proof session ends; the signed-in admin stays who they were; the same account is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLab,
  labAuthorityMetadata,
  labCloudDiscoveryMetadata,
  type LabInfo,
} from '../../../../src-main/lab/index';
import { AuthService } from '../../../../src-main/auth/auth-service';
import { ProofAdminSessions, PROOF_ADMIN_TTL_MS } from '../../../../src-main/auth/proof-admin';
import { readCaFile } from '../../../../src-main/auth/https-fetch';
import { readFileSync } from 'node:fs';
import { SettingsStore } from '../../../../src-main/settings/settings-store';
import { OperationError } from '../../../../src-main/ipc/errors';
import { STEP_SCOPES } from '../../../../src-renderer/lib/graph/scopes';
import { labBrowser } from './lab-browser';

type Lab = Awaited<ReturnType<typeof startLab>>;
let lab: Lab;
let info: LabInfo;
let ca: string;

const upn = (local: string): string => `${local}@contoso.onmicrosoft.com`;
const ctx = () => ({ emit: () => undefined, signal: new AbortController().signal });

/** The upn claim of a lab token (no verification: the test only reads who it was issued to). */
function tokenUpn(token: string): string | undefined {
  const part = token.split('.')[1] ?? '';
  const json = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as {
    upn?: string;
    preferred_username?: string;
  };
  return json.upn ?? json.preferred_username;
}

function setup(now: () => number = Date.now) {
  let picking = 'hybrid.only';
  const browser = labBrowser(ca, () => upn(picking));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'soa-proof-admin-'));
  const settings = new SettingsStore(path.join(dataDir, 'settings.json'), {
    tenant: info.tenantId,
    clientId: info.clientId,
    authorityHost: new URL(info.authority).origin,
    graphEndpoint: info.graphBaseUrl,
  });
  const service = new AuthService({
    getSettings: () => settings.get(),
    dataDir,
    extraCa: readCaFile(info.caCertPath),
    openExternal: (url) => browser.openExternal(url),
    authorityMetadata: labAuthorityMetadata(info),
    cloudDiscoveryMetadata: labCloudDiscoveryMetadata(info),
  });
  const proof = new ProofAdminSessions(service, now);
  return {
    service,
    proof,
    pick: (local: string) => (picking = local),
    async signInPrimary(local: string) {
      picking = local;
      return service.signInInteractive({ scopes: [...STEP_SCOPES.contacts], loginHint: upn(local) }, ctx());
    },
    async signInOther(local: string) {
      picking = local;
      return proof.signIn({ scopes: [...STEP_SCOPES.contactEdit], loginHint: upn(local) }, ctx());
    },
  };
}

async function refusal(p: Promise<unknown>): Promise<OperationError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OperationError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  lab = await startLab({ seed: 1, speed: 'fast', contacts: 20 });
  info = lab.info;
  ca = readFileSync(info.caCertPath, 'utf8');
});
afterAll(() => lab?.close());

describe('another admin signs in for one proof write', () => {
  it('hands out the other admin’s token for the proof scopes only, leaves the signed-in admin as is, and drops it at the end', async () => {
    const s = setup();
    await s.signInPrimary('hybrid.only');
    const signed = await s.signInOther('hybrid.useradmin');
    expect(signed.account.username).toBe(upn('hybrid.useradmin'));
    expect(s.proof.open).toBe(true);

    const t = await s.proof.token({ proofSessionId: signed.proofSessionId, scopes: [...STEP_SCOPES.contactEdit] });
    expect(tokenUpn(t.accessToken)).toBe(upn('hybrid.useradmin'));
    // never used for anything but the proof write
    const other = await refusal(
      s.proof.token({ proofSessionId: signed.proofSessionId, scopes: [...STEP_SCOPES.contacts] }),
    );
    expect(other.code).toBe('refused');
    expect(other.message).toMatch(/only for the proof write/);
    // only to the holder of the session id
    const wrongId = await refusal(
      s.proof.token({ proofSessionId: '00000000-0000-4000-8000-000000000000', scopes: [...STEP_SCOPES.contactEdit] }),
    );
    expect(wrongId.code).toBe('notSignedIn');

    // the signed-in admin is unchanged, and their cache never saw the other account
    expect((await s.service.status()).account?.username).toBe(upn('hybrid.only'));
    const primaryToken = await s.service.getAccessToken({ scopes: [...STEP_SCOPES.contacts] });
    expect(tokenUpn(primaryToken.accessToken)).toBe(upn('hybrid.only'));
    const accounts = await (await s.service.client()).getTokenCache().getAllAccounts();
    expect(accounts.map((a) => a.username)).toEqual([upn('hybrid.only')]);

    expect(await s.proof.end({ proofSessionId: signed.proofSessionId })).toEqual({ ended: true });
    expect(s.proof.open).toBe(false);
    const after = await refusal(
      s.proof.token({ proofSessionId: signed.proofSessionId, scopes: [...STEP_SCOPES.contactEdit] }),
    );
    expect(after.code).toBe('notSignedIn');
    expect(after.message).toMatch(/has ended/);
    expect(await s.proof.end({ proofSessionId: signed.proofSessionId })).toEqual({ ended: false });
  });

  it('refuses the signed-in admin as the "other" admin, and keeps no session', async () => {
    const s = setup();
    await s.signInPrimary('hybrid.only');
    const e = await refusal(s.signInOther('hybrid.only'));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/already signed in/);
    expect(s.proof.open).toBe(false);
  });

  it('refuses a proof sign-in when nobody is signed in', async () => {
    const s = setup();
    const e = await refusal(s.signInOther('hybrid.useradmin'));
    expect(e.code).toBe('notSignedIn');
    expect(s.proof.open).toBe(false);
  });

  it('ends the proof session after its time bound, and when a new proof sign-in starts', async () => {
    let now = 1_000_000;
    const s = setup(() => now);
    await s.signInPrimary('hybrid.only');
    const first = await s.signInOther('hybrid.useradmin');
    const second = await s.signInOther('global.admin');
    // a new proof sign-in ends the first one
    expect(
      (await refusal(s.proof.token({ proofSessionId: first.proofSessionId, scopes: [...STEP_SCOPES.contactEdit] })))
        .code,
    ).toBe('notSignedIn');
    now += PROOF_ADMIN_TTL_MS;
    const expired = await refusal(
      s.proof.token({ proofSessionId: second.proofSessionId, scopes: [...STEP_SCOPES.contactEdit] }),
    );
    expect(expired.code).toBe('notSignedIn');
    expect(s.proof.open).toBe(false);
  });

  it('ends the proof session on endAll (sign-out, settings change)', async () => {
    const s = setup();
    await s.signInPrimary('hybrid.only');
    const signed = await s.signInOther('hybrid.useradmin');
    await s.proof.endAll();
    expect(
      (await refusal(s.proof.token({ proofSessionId: signed.proofSessionId, scopes: [...STEP_SCOPES.contactEdit] })))
        .code,
    ).toBe('notSignedIn');
  });
});
