/** The settings of `settings.*` in the IPC contract (src-main/ipc/contract.ts) and the national clouds they accept. */
import { z } from 'zod';

/** A Microsoft national cloud: its sign-in authority host and its Graph endpoint (both bare https origins). */
export interface CloudPair {
  /** Shown to the admin. */
  label: string;
  authorityHost: string;
  graphEndpoint: string;
}

/**
 * The national clouds the settings accept without "custom cloud" (docs/reference/national-clouds.md).
 * Main enforces the list (src-main/settings/cloud-endpoints.ts); the Settings view offers it.
 */
export const nationalClouds: readonly CloudPair[] = [
  {
    label: 'Global (Microsoft Entra ID)',
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
  },
  {
    label: 'US Government L4',
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
  },
  {
    label: 'US Government L5 (DoD)',
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://dod-graph.microsoft.us',
  },
  {
    label: 'China (operated by 21Vianet)',
    authorityHost: 'https://login.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
  },
];

export const settingsShape = z.object({
  /** Tenant id (GUID) or verified domain. */
  tenant: z.string().min(1).max(256),
  /** Client id of the admin's own public-client app registration. */
  clientId: z.string().uuid(),
  /** Authority host root, e.g. https://login.microsoftonline.com (https only). */
  authorityHost: z.string().url().startsWith('https://'),
  /** Graph root, e.g. https://graph.microsoft.com (https only). */
  graphEndpoint: z.string().url().startsWith('https://'),
  /**
   * Off: the authority and Graph endpoint must be a Microsoft national cloud's pair (or the lab the
   * run was started with). On: any https pair, an explicit admin choice shown with a warning.
   */
  customCloud: z.boolean(),
  /** Event 6956 provider name filter (unconfirmed; empty = any provider). */
  event6956Provider: z.string().max(256),
  /** Audit-log poll bound, minutes. */
  auditPollMinutes: z.number().int().min(1).max(240),
});
export type Settings = z.infer<typeof settingsShape>;
