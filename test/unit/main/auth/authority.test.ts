import { describe, expect, it } from 'vitest';
import { adminConsentUrl, authorityFor, knownAuthorityFor, uncoveredScopes } from '../../../../src-main/auth/authority';

const settings = {
  tenant: 'contoso.onmicrosoft.com',
  clientId: '11111111-2222-3333-4444-555555555555',
  authorityHost: 'https://login.microsoftonline.com/',
  graphEndpoint: 'https://graph.microsoft.com',
};

describe('authority', () => {
  it('builds the authority from host and tenant', () => {
    expect(authorityFor(settings)).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com');
  });

  it('lists only non-Microsoft hosts as known authorities (host:port)', () => {
    expect(knownAuthorityFor('https://login.microsoftonline.com')).toBeUndefined();
    expect(knownAuthorityFor('https://login.microsoftonline.us')).toBeUndefined();
    expect(knownAuthorityFor('https://localhost:8443')).toBe('localhost:8443');
    expect(() => knownAuthorityFor('http://localhost:8443')).toThrow(/https/);
  });

  it('builds the v2.0 admin-consent URL with Graph-qualified scopes and the loopback redirect', () => {
    const url = new URL(
      adminConsentUrl(settings, ['Contacts-OnPremisesSyncBehavior.ReadWrite.All', 'OrgContact.Read.All']),
    );
    expect(url.origin + url.pathname).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent',
    );
    expect(url.searchParams.get('client_id')).toBe(settings.clientId);
    expect(url.searchParams.get('scope')).toBe(
      'https://graph.microsoft.com/Contacts-OnPremisesSyncBehavior.ReadWrite.All https://graph.microsoft.com/OrgContact.Read.All',
    );
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost');
  });

  it('never uses common for admin consent', () => {
    const url = adminConsentUrl({ ...settings, tenant: 'common' }, ['User.Read']);
    expect(url).toContain('/organizations/v2.0/adminconsent');
  });

  it('checks scope coverage case-insensitively, ignoring resource prefixes and OIDC scopes', () => {
    expect(
      uncoveredScopes(['OrgContact.Read.All', 'openid'], ['https://graph.microsoft.com/orgcontact.read.all']),
    ).toEqual([]);
    expect(uncoveredScopes(['AuditLog.Read.All', 'Directory.Read.All'], ['Directory.Read.All'])).toEqual([
      'AuditLog.Read.All',
    ]);
  });
});
