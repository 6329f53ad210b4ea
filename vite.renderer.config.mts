/**
 * The renderer's Vite config, used by electron-vite (as its `renderer` block) and on its own for
 * browser mode (`npm run build:renderer`), which must build without the Electron binary.
 */
import { resolve } from 'node:path';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { contentSecurityPolicy, NATIONAL_CLOUD_GRAPH_ORIGINS } from './src-main/bridge/content-security-policy';

const root = import.meta.dirname;

/** `@contract` is the typed IPC contract; tsconfig.base.json maps the same name for the type checker. */
export const contractAlias = { '@contract': resolve(root, 'src-main/ipc/contract.ts') };

/**
 * The build writes the production policy into index.html's meta tag: Graph of the national clouds,
 * no loopback origin. Whoever serves the page (src-main/renderer-assets.ts) replaces it with the
 * policy it also sends as the header, which in lab mode names the lab's exact origins.
 */
const cspMeta: Plugin = {
  name: 'soa-pilot-csp-meta',
  apply: 'build',
  transformIndexHtml: {
    order: 'pre',
    handler: () => [
      {
        tag: 'meta',
        attrs: {
          'http-equiv': 'Content-Security-Policy',
          content: contentSecurityPolicy(NATIONAL_CLOUD_GRAPH_ORIGINS, { delivery: 'meta' }),
        },
        injectTo: 'head-prepend',
      },
    ],
  },
};

export const rendererConfig: UserConfig = {
  root: resolve(root, 'src-renderer'),
  base: './',
  plugins: [svelte(), cspMeta],
  resolve: { alias: contractAlias },
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      input: { index: resolve(root, 'src-renderer/index.html') },
    },
  },
};

export default defineConfig(rendererConfig);
