/**
 * `npm run demo [-- --open] [--port N] [--seed N] [--speed realistic|fast] [--fresh]`
 *
 * Runs soa-pilot in browser mode against the embedded lab: builds the renderer if needed, starts the
 * lab (state kept in ~/.soa-pilot/lab so the demo survives restarts), starts the main-process
 * services behind the loopback bridge and prints the URL (which carries the session token).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLab } from '../src-main/lab/index';
import { startBrowserMode, defaultPowerShell } from '../src-main/bridge/browser-mode';
import { appRoot } from '../src-main/paths';
import { chromiumArgs, labSpkiHashes } from './lab-trust';

const { values } = parseArgs({
  options: {
    open: { type: 'boolean', default: false },
    port: { type: 'string' },
    seed: { type: 'string', default: '1' },
    speed: { type: 'string', default: 'realistic' },
    fresh: { type: 'boolean', default: false },
  },
});

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureRendererBuilt(): void {
  const index = path.join(appRoot, 'out', 'renderer', 'index.html');
  const sources = Math.max(
    newestMtime(path.join(appRoot, 'src-renderer')),
    newestMtime(path.join(appRoot, 'src-main', 'ipc')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  console.log('Building the renderer…');
  const r = spawnSync('npm', ['run', '--silent', 'build:renderer'], {
    cwd: appRoot,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) throw new Error('The renderer build failed; see the output above.');
}

function ensurePowerShell(): void {
  if (process.platform === 'win32' || existsSync(defaultPowerShell())) return;
  if (spawnSync('pwsh', ['-v'], { stdio: 'ignore' }).status === 0) return;
  console.log('Installing PowerShell 7.6.9 into .tools/ (the lab’s sync-server steps need it)…');
  const r = spawnSync('bash', ['scripts/provision.sh', 'pwsh'], { cwd: appRoot, stdio: 'inherit' });
  if (r.status !== 0)
    console.warn(
      'PowerShell could not be installed: the server-side steps will report that PowerShell is unavailable.',
    );
}

async function main(): Promise<void> {
  ensureRendererBuilt();
  ensurePowerShell();
  const home = path.join(os.homedir(), '.soa-pilot', 'lab');
  if (values.fresh) rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const speed = values.speed === 'fast' ? 'fast' : 'realistic';
  // The lab's CA, server certificate and token-signing key are made on this machine on first start
  // (name-constrained to localhost, 127.0.0.1 and ::1) and kept with the demo's state.
  const lab = await startLab({
    seed: Number(values.seed),
    speed,
    stateFile: path.join(home, 'lab-state.json'),
    pkiDir: path.join(home, 'pki'),
  });
  const app = await startBrowserMode({
    dataDir: path.join(home, 'app'),
    lab: lab.info,
    port: values.port ? Number(values.port) : undefined,
  });

  console.log(`\nsoa-pilot is running in browser mode against the lab.\n\n  ${app.bridge.url}\n`);
  console.log(`Lab tenant ${lab.info.tenantDomain} (${lab.info.tenantId}); Graph ${lab.info.graphBaseUrl}`);
  console.log('Seeded admins:');
  for (const a of lab.info.admins) console.log(`  ${a.upn.padEnd(34)} ${a.note}`);
  const spki = await labSpkiHashes(lab.info.graphBaseUrl, lab.info.caCertPath);
  console.log(
    [
      '',
      `The lab signs its HTTPS with a CA made on this machine (${lab.info.caCertPath}), valid only for`,
      'localhost, 127.0.0.1 and ::1. `npm run demo -- --open` starts Chromium trusting it by key (SPKI), in a',
      'throwaway profile. Never import it system-wide. For another browser, use a separate profile:',
      `  Chromium-based: --user-data-dir=<new folder> --ignore-certificate-errors-spki-list=${spki.join(',')}`,
      '  Firefox: a new profile (firefox -P), and import the CA in that profile only.',
      'Ctrl+C stops the demo.',
    ].join('\n'),
  );

  let browser: ReturnType<typeof spawn> | undefined;
  if (values.open) {
    const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
      existsSync(p),
    );
    if (chromium) {
      const profile = mkdtempSync(path.join(os.tmpdir(), 'soa-pilot-chromium-'));
      browser = spawn(
        chromium,
        [...chromiumArgs(spki, !process.env.DISPLAY), `--user-data-dir=${profile}`, app.bridge.url],
        { stdio: 'ignore' },
      );
    } else {
      const opener = process.platform === 'win32' ? 'explorer' : process.platform === 'darwin' ? 'open' : 'xdg-open';
      browser = spawn(opener, [app.bridge.url], { stdio: 'ignore', detached: true });
    }
  }

  const stop = async () => {
    browser?.kill();
    await app.close();
    await lab.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
