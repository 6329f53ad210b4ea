/**
 * electron-vite config. Every entry is explicit: our folders are src-main/ and src-renderer/, not
 * electron-vite's default src/main, src/preload and src/renderer. The sandboxed preload must be CommonJS.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config.mjs';
import { hashScriptDir } from './src-main/powershell/script-integrity';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    // The SHA-256 of every production PowerShell script, made now: the app loads a script only when its text
    // still matches (src-main/powershell/script-integrity.ts).
    define: { __SOA_SCRIPT_HASHES__: JSON.stringify(hashScriptDir(resolve(root, 'resources/powershell'))) },
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
