import { describe, expect, it } from 'vitest';
import {
  devServerUrlFor,
  isAllowedExternalUrl,
  isTrustedRendererUrl,
  trustedRendererOrigins,
} from '../../../src-main/window-security';

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

describe('renderer origin check (sender validator and navigation guard)', () => {
  const prod = trustedRendererOrigins(undefined);
  it('trusts only app://soa-pilot in production', () => {
    expect(prod).toEqual(['app://soa-pilot']);
    expect(isTrustedRendererUrl('app://soa-pilot/index.html', prod)).toBe(true);
    expect(isTrustedRendererUrl('app://soa-pilot/assets/x.js', prod)).toBe(true);
    for (const url of [
      'file:///opt/soa-pilot/out/renderer/index.html',
      'file:///tmp/evil.html',
      'app://soa-pilot.evil/index.html',
      'app://evil/index.html',
      'app://user@soa-pilot/index.html',
      'https://soa-pilot/index.html',
      'http://localhost:5173/',
      'null',
      '',
    ]) {
      expect(isTrustedRendererUrl(url, prod), url).toBe(false);
    }
  });

  it('adds the dev server origin only in development', () => {
    const dev = trustedRendererOrigins('http://localhost:5173/');
    expect(isTrustedRendererUrl('http://localhost:5173/x', dev)).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/x', dev)).toBe(false);
    expect(isTrustedRendererUrl('https://evil.example/', dev)).toBe(false);
  });

  it('honours ELECTRON_RENDERER_URL only when the app is not packaged, and only on loopback', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' };
    expect(devServerUrlFor(true, env)).toBeUndefined();
    expect(devServerUrlFor(false, env)).toBe('http://localhost:5173/');
    expect(devServerUrlFor(false, {})).toBeUndefined();
    expect(devServerUrlFor(false, { ELECTRON_RENDERER_URL: 'https://evil.example/' })).toBeUndefined();
    expect(devServerUrlFor(false, { ELECTRON_RENDERER_URL: 'file:///tmp/x.html' })).toBeUndefined();
    expect(devServerUrlFor(false, { ELECTRON_RENDERER_URL: 'not a url' })).toBeUndefined();
  });
});
