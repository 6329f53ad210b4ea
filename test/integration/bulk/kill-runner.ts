/**
 * Child process of the kill test: runs (or resumes) one bulk run against a lab started by the parent.
 * Input through the environment (the token is used only in the Authorization header, never printed):
 * SOA_GRAPH_ROOT, SOA_CA, SOA_TOKEN, SOA_DATA_DIR, SOA_TENANT, SOA_RUN_ID, SOA_ITEMS (JSON file),
 * SOA_WRITES_PER_SECOND. Prints `READY`, then `P <done>` lines, then `DONE <json>`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Journal, journalPortOf } from '../../../src-main/journal/journal';
import { runBulk } from '../../../src-renderer/lib/soa/bulk/pipeline';
import { createNodeGraphBatchPort } from './node-graph-batch-port';

const env = z
  .object({
    SOA_GRAPH_ROOT: z.string().url(),
    SOA_CA: z.string().min(1),
    SOA_TOKEN: z.string().min(1),
    SOA_DATA_DIR: z.string().min(1),
    SOA_TENANT: z.string().min(1),
    SOA_RUN_ID: z.string().min(1),
    SOA_ITEMS: z.string().min(1),
    SOA_WRITES_PER_SECOND: z.coerce.number().positive(),
  })
  .parse(process.env);

const items = z
  .array(
    z.object({
      objectId: z.string(),
      objectType: z.enum(['contact', 'user', 'group']),
      displayName: z.string().optional(),
      action: z.enum(['transfer', 'rollback']),
      wave: z.number().optional(),
    }),
  )
  .parse(JSON.parse(readFileSync(env.SOA_ITEMS, 'utf8')));

async function main(): Promise<void> {
  const token = env.SOA_TOKEN;
  const graph = createNodeGraphBatchPort({
    graphRoot: env.SOA_GRAPH_ROOT,
    caCertPath: env.SOA_CA,
    getToken: async () => token,
  });
  const journal = new Journal(env.SOA_DATA_DIR, env.SOA_TENANT);
  process.stdout.write('READY\n');
  const perWindow = (env.SOA_WRITES_PER_SECOND * 150) / 0.97;
  const summary = await runBulk({
    runId: env.SOA_RUN_ID,
    items,
    graph,
    journal: journalPortOf(journal),
    limits: { appWritesPerWindow: perWindow, tenantWritesPerWindow: perWindow * 2, burst: 5 },
    retry: { baseMs: 50, maxMs: 500, maxAttempts: 25, uncertainSettleMs: 200 },
    concurrency: { initial: 2, max: 4 },
    onProgress: (p) => process.stdout.write(`P ${p.done}\n`),
  });
  await journal.close();
  graph.close();
  const p = summary.progress;
  process.stdout.write(
    `DONE ${JSON.stringify({ verified: p.verified, failed: p.failed, unverified: p.unverified, skipped: p.skipped, fromJournal: summary.items.filter((i) => i.fromJournal).length })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`runner failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
