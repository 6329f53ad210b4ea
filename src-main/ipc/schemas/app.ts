/** The schema of `app.info` in the IPC contract (src-main/ipc/contract.ts). */
import { z } from 'zod';

export const appInfo = z.object({
  name: z.literal('soa-pilot'),
  version: z.string(),
  transport: z.enum(['electron', 'browser']),
  platform: z.string(),
  /** Where the renderer sends Graph requests (root, without the version segment). */
  graphBaseUrl: z.string().url(),
  /** Extra hosts the Graph client must treat as Graph (attach the token), e.g. the lab. */
  graphCustomHosts: z.array(z.string()),
  /** True when the embedded lab is the target (shown as a banner, never used to branch logic). */
  lab: z.boolean(),
  tenant: z.string().optional(),
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof appInfo>;
