/**
 * The app as its own process, for the kill test: browser mode (services + bridge) against a lab the
 * parent started. Input through the environment: SOA_LAB_INFO (the lab's info JSON), SOA_DATA_DIR,
 * SOA_PORT, SOA_BRIDGE_TOKEN (the same port and token after a restart, so the page reloads onto it),
 * SOA_SYNC_POLL_MS (the sync-cycle poll of the e2e clocks).
 * Prints `READY` once it listens. The parent ends it with a real SIGKILL.
 */
import { z } from 'zod';
import { startBrowserMode } from '../../src-main/bridge/browser-mode';
import type { LabInfo } from '../../src-main/lab/types';

const env = z
  .object({
    SOA_LAB_INFO: z.string().min(2),
    SOA_DATA_DIR: z.string().min(1),
    SOA_PORT: z.coerce.number().int().min(1).max(65535),
    SOA_BRIDGE_TOKEN: z.string().min(16),
    /** the sync-cycle poll of the e2e lab clocks (test/e2e/harness.ts E2E_SYNC_CYCLE_TIMING) */
    SOA_SYNC_POLL_MS: z.coerce.number().int().min(1),
  })
  .parse(process.env);

const lab = JSON.parse(env.SOA_LAB_INFO) as LabInfo;
void startBrowserMode({
  dataDir: env.SOA_DATA_DIR,
  lab,
  port: env.SOA_PORT,
  token: env.SOA_BRIDGE_TOKEN,
  syncCycleTiming: { pollMs: env.SOA_SYNC_POLL_MS },
}).then(() => process.stdout.write('READY\n'));
