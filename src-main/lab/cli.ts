/**
 * `npm run lab:server [-- --port N --seed N --state FILE --speed realistic|fast --contacts N --users N --groups N
 *   --scenario connectSync|bothEngines|twoForests|cloudSyncDomains]`
 * Starts the lab standalone, prints exactly one line `LAB {json LabInfo}` on stdout, runs until
 * SIGTERM/SIGINT and saves its state on exit when --state is given.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startLab } from './index';
import { SEED_SCENARIOS } from './cloudsync/seed';

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).optional(),
  seed: z.coerce.number().int().optional(),
  state: z.string().min(1).optional(),
  speed: z.enum(['fast', 'realistic']).optional(),
  contacts: z.coerce.number().int().min(0).optional(),
  users: z.coerce.number().int().min(0).optional(),
  groups: z.coerce.number().int().min(0).optional(),
  scenario: z.enum(SEED_SCENARIOS).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      state: { type: 'string' },
      speed: { type: 'string' },
      contacts: { type: 'string' },
      users: { type: 'string' },
      groups: { type: 'string' },
      scenario: { type: 'string' },
    },
    strict: true,
  });
  const a = argsSchema.parse(values);
  const lab = await startLab({
    port: a.port,
    seed: a.seed,
    stateFile: a.state,
    speed: a.speed ?? 'realistic',
    contacts: a.contacts,
    users: a.users,
    groups: a.groups,
    scenario: a.scenario,
  });
  process.stdout.write(`LAB ${JSON.stringify(lab.info)}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      try {
        if (a.state) await lab.save(a.state);
        await lab.close();
      } catch (e) {
        process.stderr.write(`lab: shutdown failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      }
      process.exit();
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`lab: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
