/**
 * The renderer's Vite config, used by electron-vite (as its `renderer` block) and on its own for
 * browser mode (`npm run build:renderer`), which must build without the Electron binary.
 */
import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

/** `@contract` is the typed IPC contract; tsconfig.base.json maps the same name for the type checker. */
export const contractAlias = { '@contract': resolve(root, 'src-main/ipc/contract.ts') };

export const rendererConfig: UserConfig = {
  root: resolve(root, 'src-renderer'),
  base: './',
  plugins: [svelte()],
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
