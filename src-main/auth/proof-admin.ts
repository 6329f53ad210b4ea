/**
 * "Prove it with another admin": a second, short-lived sign-in used for one proof write only.
 *
 * The signed-in admin may lack a role that can update contacts (Hybrid Administrator alone gets 403
 * on `PATCH /contacts/{id}`: docs/reference/graph-and-identity.md#proofs-by-write-or-by-state). The
 * wizard can then ask another account (e.g. a User Administrator) to sign in for that one proof.
 *
 * - The other account signs in on its own MSAL client whose token cache is in memory only: nothing
 *   of it is persisted, and it never mixes with the signed-in admin's cache or account.
 * - It must be a different account from the signed-in admin.
 * - Its tokens are handed out only for the scopes named at its sign-in (the proof write's), only to
 *   the holder of the proof session id, and only until the session ends: the caller ends it right
 *   after the proof; it also ends after `PROOF_ADMIN_TTL_MS`, on a new proof sign-in, on sign-out
 *   and when the identity settings change.
 */
import { randomUUID } from 'node:crypto';
import {
  InteractionRequiredAuthError,
  type AccountInfo,
  type AuthenticationResult,
  type PublicClientApplication,
} from '@azure/msal-node';
import type { Account } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import { logger } from '../log';
import { uncoveredScopes } from './authority';
import { toAccount, type AccessTokenResult, type ProgressContext } from './auth-service';

const log = logger('auth.proof-admin');

/** How long a proof sign-in lasts at most (the proof takes seconds; the admin may read the step first). */
export const PROOF_ADMIN_TTL_MS = 15 * 60_000;

/** What the proof sessions need from the auth service. */
export interface ProofAdminHost {
  /** A new MSAL client for the current settings whose cache lives in memory only. */
  memoryOnlyClient(): PublicClientApplication;
  /** Run one interactive sign-in on the given client. */
  interactive(
    pcaOf: () => PublicClientApplication,
    input: { scopes: string[]; loginHint?: string },
    ctx: ProgressContext<{ signInUrl: string }>,
  ): Promise<AuthenticationResult>;
  /** The signed-in admin's home account id. */
  signedInHomeAccountId(): Promise<string | undefined>;
}

interface ProofSession {
  id: string;
  pca: PublicClientApplication;
  account: AccountInfo;
  scopes: string[];
  expiresAt: number;
}

export interface ProofAdminSignedIn {
  proofSessionId: string;
  account: Account;
  expiresAt: string;
}

export class ProofAdminSessions {
  private session: ProofSession | undefined;

  constructor(
    private readonly host: ProofAdminHost,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sign in another admin for one proof; any earlier proof session ends first. */
  async signIn(
    input: { scopes: string[]; loginHint?: string },
    ctx: ProgressContext<{ signInUrl: string }>,
  ): Promise<ProofAdminSignedIn> {
    await this.endAll();
    if (!(await this.host.signedInHomeAccountId()))
      throw new OperationError('notSignedIn', 'Sign in first; the other admin signs in only for one proof.');
    const pca = this.host.memoryOnlyClient();
    const result = await this.host.interactive(() => pca, input, ctx);
    const account = result.account;
    if (!account) throw new OperationError('interactionRequired', 'The other admin’s sign-in returned no account.');
    if (account.homeAccountId === (await this.host.signedInHomeAccountId())) {
      await clear(pca);
      throw new OperationError(
        'refused',
        `${account.username} is the admin already signed in. For this proof, sign in as another account whose roles may update contacts (e.g. a User Administrator).`,
      );
    }
    const session: ProofSession = {
      id: randomUUID(),
      pca,
      account,
      scopes: [...input.scopes],
      expiresAt: this.now() + PROOF_ADMIN_TTL_MS,
    };
    this.session = session;
    log.info('another admin signed in for one proof', { tenantId: account.tenantId, scopes: session.scopes });
    return {
      proofSessionId: session.id,
      account: toAccount(account),
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  }

  /** An access token of the proof session, for the scopes it was signed in for and nothing else. */
  async token(input: { proofSessionId: string; scopes: string[] }): Promise<AccessTokenResult> {
    const s = this.session;
    if (!s || s.id !== input.proofSessionId || this.now() >= s.expiresAt) {
      if (s && s.id === input.proofSessionId) await this.endAll();
      throw new OperationError(
        'notSignedIn',
        'The other admin’s sign-in for this proof has ended. Sign in again for the proof, or use the state evidence.',
      );
    }
    const outside = uncoveredScopes(input.scopes, s.scopes);
    if (outside.length > 0)
      throw new OperationError(
        'refused',
        `The other admin signed in only for the proof write (${s.scopes.join(', ')}); their token is not used for ${outside.join(', ')}.`,
      );
    let result: AuthenticationResult;
    try {
      result = await s.pca.acquireTokenSilent({ account: s.account, scopes: input.scopes });
    } catch (e) {
      if (e instanceof InteractionRequiredAuthError)
        throw new OperationError(
          'interactionRequired',
          `The other admin must sign in again for ${input.scopes.join(', ')} (${e.errorCode}).`,
        );
      throw new OperationError('unavailable', `Token request for the other admin failed: ${String(e)}`);
    }
    const missing = uncoveredScopes(input.scopes, result.scopes);
    if (missing.length > 0)
      throw new OperationError(
        'interactionRequired',
        `The other admin’s token lacks ${missing.join(', ')}; admin consent must cover it.`,
        { missingScopes: missing, grantedScopes: result.scopes },
      );
    const expiresOn = result.expiresOn ?? new Date(this.now() + 60_000);
    return { accessToken: result.accessToken, expiresOn: expiresOn.toISOString(), scopes: result.scopes };
  }

  /** End the proof session: its account and tokens are removed from its in-memory cache and forgotten. */
  async end(input: { proofSessionId: string }): Promise<{ ended: boolean }> {
    if (!this.session || this.session.id !== input.proofSessionId) return { ended: false };
    await this.endAll();
    return { ended: true };
  }

  /** End whatever proof session is open (sign-out, settings change, a new proof sign-in). */
  async endAll(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    await clear(s.pca);
    log.info('the other admin’s proof sign-in ended; its tokens are dropped');
  }

  /** Whether a proof session is open (tests). */
  get open(): boolean {
    return this.session !== undefined;
  }
}

async function clear(pca: PublicClientApplication): Promise<void> {
  const cache = pca.getTokenCache();
  for (const a of await cache.getAllAccounts()) await cache.removeAccount(a);
}
