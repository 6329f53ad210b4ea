/**
 * One policy for the header and the meta tag. The production policy (what the build writes) names
 * only the national clouds' Graph; lab origins appear only when lab mode adds them, by exact origin.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import {
  contentSecurityPolicy,
  NATIONAL_CLOUD_GRAPH_ORIGINS,
  withCspMetaTag,
} from '../../../../src-main/bridge/content-security-policy';
import { rendererConfig } from '../../../../vite.renderer.config.mjs';
import { Router } from '../../../../src-main/ipc/router';
import { startBridge } from '../../../../src-main/bridge/server';

const loopback = /localhost|127\.0\.0\.1|\[::1\]/;

/** What the build writes into index.html (the renderer config's own plugin, called as Vite would). */
function builtMetaContent(): string {
  const plugin = (rendererConfig.plugins ?? []).flat().find((p) => (p as Plugin)?.name === 'soa-pilot-csp-meta') as
    Plugin | undefined;
  expect(plugin, 'the renderer build has the CSP meta plugin').toBeDefined();
  const hook = plugin!.transformIndexHtml as unknown as { handler: () => { attrs: Record<string, string> }[] };
  const tags = hook.handler();
  expect(tags[0]!.attrs['http-equiv']).toBe('Content-Security-Policy');
  return tags[0]!.attrs.content!;
}

describe('content security policy', () => {
  it('production: the meta tag the build writes allows Graph of the national clouds and no loopback origin', () => {
    const meta = builtMetaContent();
    expect(meta).not.toMatch(loopback);
    expect(meta).not.toContain('https://localhost:*');
    for (const origin of NATIONAL_CLOUD_GRAPH_ORIGINS) expect(meta).toContain(origin);
    expect(meta).toContain("script-src 'self'");
    expect(meta).not.toContain('frame-ancestors'); // ignored (with a console warning) in a meta tag
    // and the source page carries no hand-written policy that could drift from it
    expect(readFileSync('src-renderer/index.html', 'utf8')).not.toMatch(/localhost|Content-Security-Policy/);
  });

  it('the header adds frame-ancestors; both name exactly the origins they are given', () => {
    const header = contentSecurityPolicy(['https://graph.microsoft.com']);
    expect(header).toContain("frame-ancestors 'none'");
    expect(header).toMatch(/connect-src 'self' https:\/\/graph\.microsoft\.com;/);
    expect(header).not.toMatch(loopback);
  });

  it('replaces the build-written meta tag with the served policy (or adds one)', () => {
    const built = `<head><meta http-equiv="Content-Security-Policy" content="${builtMetaContent().replace(/'/g, '&#39;')}">\n<title>x</title></head>`;
    const served = withCspMetaTag(built, "default-src 'self'; connect-src 'self' https://127.0.0.1:4443");
    expect(served.match(/Content-Security-Policy/g)).toHaveLength(1);
    expect(served).toContain("connect-src 'self' https://127.0.0.1:4443\"");
    expect(served).not.toContain('graph.microsoft.us');
    expect(withCspMetaTag('<head><title>x</title></head>', "default-src 'none'")).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'" />`,
    );
  });

  it('lab mode: the bridge sends the lab origins, exactly, in the header and in the meta tag', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'soa-csp-'));
    writeFileSync(
      path.join(dir, 'index.html'),
      `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${builtMetaContent().replace(/'/g, '&#39;')}"></head><body></body></html>`,
    );
    const lab = 'https://127.0.0.1:48443';
    const bridge = await startBridge({
      router: new Router({ validateSender: () => true }),
      rendererDir: dir,
      token: 'csp-test-token-0123456789',
      connectOrigins: [lab],
    });
    try {
      const first = await fetch(`${bridge.origin}/?token=csp-test-token-0123456789`, { redirect: 'manual' });
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
      const page = await fetch(`${bridge.origin}/`, { headers: { cookie } });
      const header = page.headers.get('content-security-policy')!;
      const html = await page.text();
      expect(header).toContain(`connect-src 'self' ${lab};`);
      expect(html).toContain(`connect-src 'self' ${lab};`);
      expect(header).not.toContain('localhost:*');
      expect(html).not.toContain('localhost:*');
    } finally {
      await bridge.close();
    }
  });
});
