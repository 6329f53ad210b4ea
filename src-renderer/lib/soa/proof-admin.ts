/**
 * "Prove it with another admin": when the signed-in admin holds no role that may update contacts,
 * another account (e.g. a User Administrator) signs in for one proof write only.
 *
 * - The other admin signs in through main (`auth.proofAdminSignIn`): an MSAL client whose cache is
 *   in memory only, refused when it is the signed-in admin again.
 * - The proof's PATCH goes through a Graph session whose tokens come from that sign-in
 *   (`auth.proofAdminToken`), for the write's scopes only; every read stays with the signed-in admin.
 * - The sign-in is ended (`auth.proofAdminEnd`) as soon as the proof is done, whatever its outcome,
 *   so its tokens are never reused for anything else.
 *
 * See docs/reference/graph-and-identity.md#proofs-by-write-or-by-state.
 */
import { TokenSourceError, type GraphSession } from '../graph/graph-client';
import { STEP_SCOPES } from '../graph/scopes';
import type { FlowPorts } from './ports';
import { runStreaming } from './streaming';

/** The other admin, for one proof write: the Graph session for the PATCH, and who they are. */
export interface ProofWriter {
  graph: GraphSession;
  /** The other admin's user principal name (shown in the evidence, the report and the journal). */
  username: string;
}

export type ProofAdminResult<T> =
  { ok: true; value: T; username: string } | { ok: false; code: string; message: string };

export interface ProofAdminOptions {
  /** The account to sign in (shown as a hint on the sign-in page). */
  loginHint?: string;
  /** The sign-in URL, for a transport that cannot open the system browser (browser mode shows a link). */
  onSignInUrl?: (url: string) => void;
  signal?: AbortSignal;
  /** Scopes of the proof write (default: the contact-update scope). */
  scopes?: readonly string[];
}

/**
 * Sign in another admin, run `use` with a writer bound to that sign-in, then end the sign-in.
 * A failed or cancelled sign-in runs nothing: the caller keeps (or falls back to) the state evidence.
 */
export async function withProofAdmin<T>(
  ports: FlowPorts,
  use: (writer: ProofWriter) => Promise<T>,
  options: ProofAdminOptions = {},
): Promise<ProofAdminResult<T>> {
  const scopes = [...(options.scopes ?? STEP_SCOPES.contactEdit)];
  const signedIn = await runStreaming(
    ports.ipc,
    'auth.proofAdminSignIn',
    { scopes, ...(options.loginHint ? { loginHint: options.loginHint } : {}) },
    {
      operationId: ports.newId(),
      ...(options.onSignInUrl ? { onProgress: (p) => options.onSignInUrl?.(p.signInUrl) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  if (!signedIn.ok) return { ok: false, code: signedIn.error.code, message: signedIn.error.message };
  const { proofSessionId, account } = signedIn.value;
  const graph = ports.graph.withTokenSource(async (wanted) => {
    const r = await ports.ipc.call('auth.proofAdminToken', { proofSessionId, scopes: wanted });
    if (!r.ok) throw new TokenSourceError(r.error.code, r.error.message, []);
    return r.value.accessToken;
  });
  try {
    return { ok: true, value: await use({ graph, username: account.username }), username: account.username };
  } finally {
    await ports.ipc.call('auth.proofAdminEnd', { proofSessionId });
  }
}
