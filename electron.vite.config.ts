/**
 * electron-vite config. Every entry is explicit: our folders are src-main/ and src-renderer/, not
 * electron-vite's default src/main, src/preload and src/renderer. The sandboxed preload must be CommonJS.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config.mjs';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: { index: resolve(root, 'src-main/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only `electron`: bundle everything else (zod, the contract).
      externalizeDeps: false,
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'src-main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: rendererConfig,
});
