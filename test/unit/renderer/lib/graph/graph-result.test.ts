import { describe, expect, it } from 'vitest';
import { graphErrorOf, retryAfterMs, retryAfterSeconds } from '../../../../../src-renderer/lib/graph/graph-result';
import { retryAfterHeaderMs } from '../../../../../src-renderer/lib/soa/bulk/graph-bodies';
import { tokenScopes, tokenFailureError, TokenSourceError } from '../../../../../src-renderer/lib/graph/graph-client';

const h = (o: Record<string, string> = {}) => new Headers(o);
const body = (code: string, message: string) => ({ error: { code, message, innerError: { 'request-id': 'r1' } } });

describe('Graph error classification', () => {
  it('names the missing scope on a 403 when the token lacks it', () => {
    const e = graphErrorOf(
      403,
      h(),
      body('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      {
        requiredScopes: ['AuditLog.Read.All', 'Directory.Read.All'],
        grantedScopes: ['Directory.Read.All'],
        requiredRole: 'Reports Reader',
      },
    );
    expect(e.kind).toBe('forbidden');
    if (e.kind !== 'forbidden') return;
    expect(e.missingScopes).toEqual(['AuditLog.Read.All']);
    expect(e.missingRole).toBeUndefined();
    expect(e.fix).toMatch(/admin consent for AuditLog\.Read\.All/);
  });

  it('names the missing role on a 403 when every scope was granted', () => {
    const e = graphErrorOf(
      403,
      h(),
      body('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      {
        requiredScopes: ['Contacts-OnPremisesSyncBehavior.ReadWrite.All'],
        grantedScopes: ['contacts-onpremisessyncbehavior.readwrite.all'],
        requiredRole: 'Hybrid Administrator',
      },
    );
    expect(e).toMatchObject({ kind: 'forbidden', missingScopes: [], missingRole: 'Hybrid Administrator' });
  });

  it('never reads English text: every 400 is badRequest, with the raw code and message kept (the proofs add the object state)', () => {
    const e = graphErrorOf(
      400,
      h(),
      body(
        'Request_BadRequest',
        'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
      ),
      { requiredScopes: [] },
    );
    expect(e).toMatchObject({ kind: 'badRequest', status: 400, code: 'Request_BadRequest' });
    expect(e.message).toMatch(/on-premises mastered/);
    expect(
      graphErrorOf(400, h(), body('Request_BadRequest', 'Invalid filter clause'), { requiredScopes: [] }).kind,
    ).toBe('badRequest');
  });

  it('turns 429 into throttled with the Retry-After wait, and 401/404 into their kinds', () => {
    expect(
      graphErrorOf(429, h({ 'Retry-After': '7' }), body('TooManyRequests', 'slow down'), { requiredScopes: [] }),
    ).toMatchObject({ kind: 'throttled', waitSeconds: 7 });
    expect(graphErrorOf(401, h(), body('InvalidAuthenticationToken', 'expired'), { requiredScopes: [] }).kind).toBe(
      'unauthorized',
    );
    expect(graphErrorOf(404, h(), body('Request_ResourceNotFound', 'nope'), { requiredScopes: [] }).kind).toBe(
      'notFound',
    );
    expect(graphErrorOf(503, h(), undefined, { requiredScopes: [] }).kind).toBe('server');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), 5, Date.UTC(2030, 0, 1))).toBe(10);
    expect(retryAfterSeconds(null, 5)).toBe(5);
  });

  it('one Retry-After parser: unreadable, negative or empty values are "none" (the caller backs off itself)', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 3)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2029, 0, 1)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(0);
    for (const bad of ['soon', '-5', '', '  ', null, undefined]) expect(retryAfterMs(bad)).toBeUndefined();
    expect(retryAfterSeconds('soon', 7)).toBe(7);
    expect(retryAfterHeaderMs({ 'Retry-After': '4' }, 0)).toBe(4000);
    expect(retryAfterHeaderMs({}, 0)).toBeUndefined();
  });

  it('decodes the scp claim of a JWT for diagnostics', () => {
    const payload = Buffer.from(JSON.stringify({ scp: 'User.Read OrgContact.Read.All' })).toString('base64url');
    expect(tokenScopes(`x.${payload}.y`)).toEqual(['User.Read', 'OrgContact.Read.All']);
    expect(tokenScopes('not-a-jwt')).toBeUndefined();
  });

  it('maps a refused token to forbidden (consent) or unauthorized (not signed in)', () => {
    const consent = tokenFailureError(
      new TokenSourceError('interactionRequired', 'Consent is missing', ['AuditLog.Read.All']),
      ['AuditLog.Read.All', 'Directory.Read.All'],
    );
    expect(consent).toMatchObject({ kind: 'forbidden', missingScopes: ['AuditLog.Read.All'] });
    expect(tokenFailureError(new TokenSourceError('notSignedIn', 'Sign in first.'), ['x']).kind).toBe('unauthorized');
  });
});
