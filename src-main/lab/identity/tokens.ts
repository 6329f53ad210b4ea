/**
 * The lab's token service: RS256 JWTs signed with the per-machine lab key (`token-signing-key.pem`, made by `../pki.ts`),
 * published through the JWKS. Access tokens carry `aud` = Microsoft Graph; id tokens `aud` = client id.
 *
 * `wids` lists only tenant-wide (directory-scoped `/`) role template ids, as Entra does; AU-scoped
 * assignments are not in the token (Graph checks them server-side, as does the lab).
 */
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, exportJWK, jwtVerify, errors as joseErrors, type JWK } from 'jose';
import { GRAPH_APP_ID, GRAPH_RESOURCE } from '../tenant/model';

export const SIGNING_KID = 'soa-pilot-lab-1';

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

export async function loadSigningKeys(pemPath: string): Promise<SigningKeys> {
  const pem = readFileSync(pemPath, 'utf8');
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicKey, jwk: { ...jwk, kid: SIGNING_KID, use: 'sig', alg: 'RS256' } };
}

export interface AccessTokenSubject {
  oid: string;
  upn: string;
  name: string;
  tenantId: string;
  clientId: string;
  /** granted Graph scopes (short names, e.g. User.Read) */
  scopes: string[];
  /** tenant-wide role template ids */
  wids: string[];
}

export interface VerifiedToken {
  oid: string;
  upn: string;
  name: string;
  tenantId: string;
  appId: string;
  scopes: string[];
  wids: string[];
}

export type VerifyFailure = { ok: false; message: string };

export class TokenService {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly now: () => number,
  ) {}

  publicJwk(): JWK {
    return { ...this.keys.jwk };
  }

  async accessToken(s: AccessTokenSubject, lifetimeSeconds: number): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + lifetimeSeconds;
    const token = await new SignJWT({
      tid: s.tenantId,
      oid: s.oid,
      upn: s.upn,
      unique_name: s.upn,
      preferred_username: s.upn,
      name: s.name,
      scp: s.scopes.join(' '),
      wids: s.wids,
      appid: s.clientId,
      azp: s.clientId,
      ver: '1.0',
      uti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: SIGNING_KID })
      .setIssuer(this.issuer)
      .setAudience(GRAPH_RESOURCE)
      .setSubject(s.oid)
      .setIssuedAt(iat)
      .setNotBefore(iat - 300)
      .setExpirationTime(exp)
      .sign(this.keys.privateKey);
    return { token, expiresAt: exp * 1000 };
  }

  async idToken(
    s: { oid: string; upn: string; name: string; tenantId: string; clientId: string; nonce?: string | undefined },
    lifetimeSeconds: number,
  ): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const claims: Record<string, unknown> = {
      tid: s.tenantId,
      oid: s.oid,
      preferred_username: s.upn,
      name: s.name,
      ver: '2.0',
    };
    if (s.nonce) claims.nonce = s.nonce;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: SIGNING_KID })
      .setIssuer(this.issuer)
      .setAudience(s.clientId)
      .setSubject(s.oid)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(this.keys.privateKey);
  }

  /** Validates signature, audience and lifetime against the lab clock. */
  async verifyAccessToken(token: string): Promise<{ ok: true; value: VerifiedToken } | VerifyFailure> {
    if (token.split('.').length !== 3) {
      return { ok: false, message: 'IDX14100: JWT is not well formed, there are no dots (.).' };
    }
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        algorithms: ['RS256'],
        currentDate: new Date(this.now()),
      });
      const aud = payload.aud;
      const auds = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
      if (!auds.some((a) => a === GRAPH_RESOURCE || a === `${GRAPH_RESOURCE}/` || a === GRAPH_APP_ID)) {
        return { ok: false, message: 'Access token validation failure. Invalid audience.' };
      }
      if (payload.iss !== this.issuer)
        return { ok: false, message: 'Access token validation failure. Invalid issuer.' };
      const str = (k: string): string => (typeof payload[k] === 'string' ? (payload[k] as string) : '');
      const wids = Array.isArray(payload.wids) ? payload.wids.filter((x): x is string => typeof x === 'string') : [];
      return {
        ok: true,
        value: {
          oid: str('oid'),
          upn: str('upn'),
          name: str('name'),
          tenantId: str('tid'),
          appId: str('appid'),
          scopes: str('scp')
            .split(' ')
            .filter((x) => x.length > 0),
          wids,
        },
      };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired)
        return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
      return { ok: false, message: 'Access token validation failure.' };
    }
  }
}
