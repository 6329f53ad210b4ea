/** Schemas of `auth.*` in the IPC contract (src-main/ipc/contract.ts): the account, tokens and sign-in progress. */
import { z } from 'zod';
import { isoDate, withOperationId } from './shared';

export const account = z.object({
  username: z.string(),
  name: z.string().optional(),
  tenantId: z.string(),
  homeAccountId: z.string(),
  localAccountId: z.string(),
});
export type Account = z.infer<typeof account>;

export const cachePersistence = z.enum(['dpapi', 'keychain', 'libsecret', 'memory']);

export const authStatus = z.object({
  signedIn: z.boolean(),
  account: account.optional(),
  cache: z.object({ persistence: cachePersistence, message: z.string() }),
});

export const scopes = z.array(z.string().min(1).max(200)).min(1).max(20);

export const accessToken = z.object({
  accessToken: z.string(),
  expiresOn: isoDate,
  scopes: z.array(z.string()),
});

export const deviceCodeProgress = z.object({
  userCode: z.string(),
  verificationUri: z.string(),
  message: z.string(),
  expiresIn: z.number(),
});

export const interactiveProgress = z.object({
  /** The sign-in URL, for a transport that cannot open the system browser itself. */
  signInUrl: z.string().url(),
});

/** Both interactive sign-ins (the admin's and the proof admin's): the scopes and an optional account hint. */
export const interactiveSignInInput = withOperationId({ scopes, loginHint: z.string().max(256).optional() });
