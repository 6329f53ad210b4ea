import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isTrustedRendererUrl } from '../../../src-main/window-security';

describe('openExternal allow-list', () => {
  it('allows Microsoft sign-in and admin-consent pages over https', () => {
    expect(
      isAllowedExternalUrl('https://login.microsoftonline.com/contoso.com/oauth2/v2.0/authorize?client_id=x'),
    ).toBe(true);
    expect(isAllowedExternalUrl('https://login.microsoftonline.us/organizations/v2.0/adminconsent?client_id=x')).toBe(
      true,
    );
  });

  it('allows the configured authority (the lab) only by exact origin', () => {
    expect(isAllowedExternalUrl('https://localhost:8443/t/oauth2/v2.0/authorize', ['https://localhost:8443'])).toBe(
      true,
    );
    expect(isAllowedExternalUrl('https://localhost:9443/t/oauth2/v2.0/authorize', ['https://localhost:8443'])).toBe(
      false,
    );
  });

  it('refuses everything else, including look-alikes, http, credentials and other schemes', () => {
    for (const url of [
      'http://login.microsoftonline.com/',
      'https://login.microsoftonline.com.evil.example/',
      'https://evil.example/?next=https://login.microsoftonline.com',
      'https://user:pass@login.microsoftonline.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-settings:privacy',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });
});

describe('renderer origin check', () => {
  const index = 'file:///opt/soa-pilot/out/renderer/index.html';
  it('trusts only our index file, or the dev server origin in development', () => {
    expect(isTrustedRendererUrl(index, undefined, index)).toBe(true);
    expect(isTrustedRendererUrl('file:///tmp/evil.html', undefined, index)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', undefined, index)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/x', 'http://localhost:5173', index)).toBe(true);
    expect(isTrustedRendererUrl('https://evil.example/', 'http://localhost:5173', index)).toBe(false);
  });
});
