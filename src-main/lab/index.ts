/**
 * The lab: a local Entra tenant (identity + Graph over HTTPS on loopback), the simulated Connect
 * Sync server (`./onprem`), and the control API. `startLab()` runs it in-process (tests);
 * `npm run lab:server` (`./cli.ts`) runs it standalone (demo).
 */
import https from 'node:https';
import type http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createOnPrem } from './onprem/index';
import type { LabClock, OnPremServer, OnPremSeedObject } from './ports';
import type { LabInfo } from './types';
import { seedTenant } from './seed';
import { labServerTlsOptions, labTlsFiles } from './tls';
import {
  defaultSettings,
  type LabSettings,
  type LabSpeed,
  type TenantState,
  type WriteLogEntry,
  type AuditEntry,
} from './tenant/model';
import { Tenant } from './tenant/tenant';
import { Throttler } from './tenant/throttle';
import { Faults } from './tenant/faults';
import { GraphService, faultResponse, type GraphResponse } from './tenant/graph';
import { IdentityService } from './identity/identity';
import { TokenService, loadSigningKeys } from './identity/tokens';
import { handleControl, startControlServer, type LabRuntime } from './control';
import { CloudSyncService } from './cloudsync/service';
import { SECOND_FOREST, seedSecondForest } from './seed-second-forest';
import {
  SEED_SCENARIOS,
  seedCloudSync,
  seedMoreCloudSyncDomains,
  CLOUD_SYNC_AGENT_SEED_VERSION,
  type SeedScenario,
} from './cloudsync/seed';

export { labAuthorityMetadata, labCloudDiscoveryMetadata } from './identity/identity';
export type { LabInfo, LabAdmin } from './types';

export interface StartLabOptions {
  seed?: number;
  speed?: LabSpeed;
  /** JSON state file: loaded at start when it exists, written by `save()` / POST /save / the CLI on exit */
  stateFile?: string;
  /** HTTPS port (identity + Graph); random when omitted */
  port?: number;
  /** number of synced contacts in the seed (default 2,000) */
  contacts?: number;
  /** extra synced users and groups in the seed, for scale runs (default 0; a reset keeps them) */
  users?: number;
  groups?: number;
  /**
   * Folder of the lab's per-machine CA, server certificate and token-signing key, generated on first
   * start (default: `SOA_LAB_PKI_DIR`, else `~/.soa-pilot/lab/pki`).
   */
  pkiDir?: string;
  /**
   * A fixed access-token lifetime, seconds (the `tokenLifetimeSeconds` setting with no spread). Default:
   * Entra's random 60–90 minutes per token.
   */
  tokenLifetimeSeconds?: number;
  /**
   * `connectSync` (default): one forest synced by Connect Sync. `bothEngines`: also the domain
   * adatum.com, provisioned by Cloud Sync (src-main/lab/cloudsync/seed.ts). `twoForests`: also the forest
   * fabrikam.com on the same Connect Sync server, through its own AD connector (src-main/lab/seed-second-forest.ts).
   * `cloudSyncDomains`: `bothEngines` plus two more Cloud Sync configurations, litware.com and emea.adatum.com.
   */
  scenario?: SeedScenario;
}

export interface LabHandle {
  info: LabInfo;
  close(): Promise<void>;
  /** the live tenant (replaced by reset) */
  tenant(): Tenant;
  onPrem(): OnPremServer;
  settings(): LabSettings;
  updateSettings(patch: Partial<LabSettings>): LabSettings;
  /** mint an access token exactly as /token would (throws on missing consent) */
  mintToken(upn: string, scopes: string[]): Promise<string>;
  reset(seed?: number, contacts?: number, scenario?: SeedScenario): Promise<void>;
  save(file?: string): Promise<string | null>;
  setClockOffset(ms: number): void;
  clock: LabClock;
  faults: Faults;
  writeLog(): WriteLogEntry[];
  auditLog(): AuditEntry[];
  /** the same calls as {controlUrl}, in-process */
  control(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

const stateFileSchema = z.object({
  format: z.literal('soa-pilot-lab/1'),
  seed: z.number(),
  contacts: z.number().nullable(),
  scenario: z.enum(SEED_SCENARIOS).default('connectSync'),
  clockOffsetMs: z.number(),
  settings: z.record(z.string(), z.unknown()),
  tenant: z.custom<TenantState>((v) => typeof v === 'object' && v !== null && 'objects' in v && 'tenantId' in v),
  onprem: z.unknown(),
});

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > 20 * 1024 * 1024) throw new Error('body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

export async function startLab(opts: StartLabOptions = {}): Promise<LabHandle> {
  const speed: LabSpeed = opts.speed ?? 'fast';
  let seedNumber = opts.seed ?? 1;
  let contactsCount: number | undefined = opts.contacts;
  let scenario: SeedScenario = opts.scenario ?? 'connectSync';
  let offsetMs = 0;
  const clock: LabClock = { now: () => Date.now() + offsetMs };
  const files = labTlsFiles(opts.pkiDir);
  const keys = await loadSigningKeys(files.tokenSigningKeyPath);
  let baseUrl = '';

  let tenant!: Tenant;
  let onPrem!: OnPremServer;

  const buildOnPrem = (objects: OnPremSeedObject[], settings: LabSettings): OnPremServer =>
    createOnPrem({
      ...(scenario === 'twoForests' ? { additionalForests: [SECOND_FOREST] } : {}),
      tenant: {
        viewByAnchor: (k, a) => tenant.viewByAnchor(k, a),
        exportUpdate: (k, a, x) => tenant.exportUpdate(k, a, x),
        confirmTakeover: (k, a, x) => tenant.confirmTakeover(k, a, x),
      },
      objects,
      clock,
      tenantDomain: tenant.state.tenantDomain,
      forest: tenant.state.forest,
      syncCycleMs: settings.syncCycleMs,
      event6956Provider: settings.event6956Provider,
      connectSyncVersion: settings.connectSyncVersion,
      cloudSyncAgentVersion: settings.cloudSyncAgentVersion,
      stagingMode: settings.stagingMode,
    });

  const attachCloudSync = (): void => {
    tenant.cloudSync = new CloudSyncService(tenant, { adObjectsUnder: (baseDn) => onPrem.adObjectsUnder(baseDn) });
    tenant.cloudSync.takeBaseline();
  };

  const fresh = (seed: number, contacts: number | undefined, settings: LabSettings): void => {
    const s = seedTenant({
      seed,
      contacts,
      now: clock.now(),
      ...(opts.users !== undefined ? { users: opts.users } : {}),
      ...(opts.groups !== undefined ? { groups: opts.groups } : {}),
    });
    const onPremObjects = [...s.onPrem];
    if (scenario === 'twoForests') onPremObjects.push(...seedSecondForest(s.tenant, seed, clock.now()));
    if (scenario === 'bothEngines' || scenario === 'cloudSyncDomains') {
      onPremObjects.push(...seedCloudSync(s.tenant, seed, clock.now()));
      if (scenario === 'cloudSyncDomains') onPremObjects.push(...seedMoreCloudSyncDomains(s.tenant, seed, clock.now()));
      // the provisioning agent runs on the simulated server too
      if (settings.cloudSyncAgentVersion === null) settings.cloudSyncAgentVersion = CLOUD_SYNC_AGENT_SEED_VERSION;
    }
    tenant = new Tenant(s.tenant, settings, clock);
    onPrem = buildOnPrem(onPremObjects, settings);
    attachCloudSync();
  };

  // load or seed
  let loaded = false;
  if (opts.stateFile && existsSync(opts.stateFile)) {
    const parsed = stateFileSchema.safeParse(JSON.parse(readFileSync(opts.stateFile, 'utf8')) as unknown);
    if (!parsed.success) throw new Error(`lab state file ${opts.stateFile} is not a soa-pilot lab state`);
    const st = parsed.data;
    seedNumber = st.seed;
    contactsCount = st.contacts ?? undefined;
    scenario = st.scenario;
    offsetMs = st.clockOffsetMs;
    const settings = { ...defaultSettings(speed), ...(st.settings as Partial<LabSettings>) };
    tenant = new Tenant(st.tenant, settings, clock);
    onPrem = buildOnPrem([], settings);
    onPrem.restore(st.onprem);
    attachCloudSync();
    loaded = true;
  }
  if (!loaded) fresh(seedNumber, contactsCount, defaultSettings(speed));
  if (opts.tokenLifetimeSeconds !== undefined) {
    tenant.settings.tokenLifetimeSeconds = opts.tokenLifetimeSeconds;
    tenant.settings.tokenLifetimeSpreadSeconds = 0;
  }

  const throttler = new Throttler(
    clock.now,
    () => tenant.settings.throttleScale,
    () => tenant.settings.otherAppsWritesPerSecond,
  );
  const faults = new Faults(seedNumber);
  const graph = (): GraphService => graphService;
  // eslint-disable-next-line prefer-const -- assigned once the port (hence the base URL) is known
  let graphService: GraphService;
  // eslint-disable-next-line prefer-const
  let identity: IdentityService;

  // HTTPS server(s)
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      const requestId = randomUUID();
      try {
        const url = new URL(req.url ?? '/', baseUrl);
        const method = (req.method ?? 'GET').toUpperCase();
        // CORS, as Graph does: the renderer calls Graph from its own origin
        for (const [k, v] of Object.entries(corsHeaders())) res.setHeader(k, v);
        if (method === 'OPTIONS') {
          res.writeHead(204, preflightHeaders(req));
          res.end();
          return;
        }
        const raw = await readBody(req);
        const fault = faults.decide(method, url.pathname);
        const latency = tenant.settings.latencyMs + fault.latencyMs;
        if (latency > 0) await sleep(latency);
        if (fault.action?.kind === 'drop') {
          req.socket.destroy();
          return;
        }
        const clientRequestId =
          typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : null;
        if (fault.action?.kind === 'status') {
          sendGraph(
            res,
            faultResponse(
              fault.action.status,
              fault.action.retryAfterSeconds,
              requestId,
              clientRequestId,
              clock.now(),
              fault.action,
            ),
          );
          return;
        }
        const gm = /^\/(v1\.0|beta|v[0-9][^/]*)(\/.*)?$/.exec(url.pathname);
        if (gm) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
          let body: unknown = undefined;
          let bodyInvalid = false;
          const text = raw.toString('utf8');
          if (text.trim() !== '') {
            try {
              body = JSON.parse(text) as unknown;
            } catch {
              bodyInvalid = true;
            }
          }
          const r = await graph().handle({
            method,
            version: gm[1] ?? '',
            path: decodeURIComponent(gm[2] ?? '/'),
            query: url.searchParams,
            headers,
            body,
            bodyInvalid,
            requestId,
            clientRequestId,
            batchStepId: null,
          });
          if (fault.action?.kind === 'appliedLost') {
            loseResponse(req.socket);
            return;
          }
          sendGraph(res, r);
          return;
        }
        const form = new URLSearchParams(method === 'POST' ? raw.toString('utf8') : '');
        const r = await identity.handle({ method, path: url.pathname, query: url.searchParams, form });
        if (fault.action?.kind === 'appliedLost') {
          loseResponse(req.socket);
          return;
        }
        if (!r) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: 'not_found',
              error_description: `The lab has no endpoint ${method} ${url.pathname}.`,
            }),
          );
          return;
        }
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      } catch (e) {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'request-id': requestId });
          res.end(
            JSON.stringify({
              error: { code: 'InternalServerError', message: e instanceof Error ? e.message : 'error' },
            }),
          );
        }
      }
    })();
  };

  const tls = labServerTlsOptions(files);
  const servers: https.Server[] = [];
  const primary = https.createServer({ ...tls }, onRequest);
  await new Promise<void>((ok, fail) => {
    primary.once('error', fail);
    primary.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  servers.push(primary);
  const port = (primary.address() as AddressInfo).port;
  // also on ::1 (same port) so that "localhost" resolving to ::1 first connects directly; loopback only
  const v6 = https.createServer({ ...tls }, onRequest);
  const v6ok = await new Promise<boolean>((ok) => {
    v6.once('error', () => ok(false));
    v6.listen(port, '::1', () => ok(true));
  });
  if (v6ok) servers.push(v6);

  baseUrl = `https://localhost:${port}`;
  const tokenService = new TokenService(keys, `${baseUrl}/${tenant.state.tenantId}/v2.0`, clock.now);
  graphService = new GraphService({
    tenant: () => tenant,
    tokens: tokenService,
    throttler,
    faults,
    baseUrl: () => baseUrl,
  });
  identity = new IdentityService({ tenant: () => tenant, tokens: tokenService, baseUrl: () => baseUrl });

  const controlToken = randomBytes(24).toString('hex');
  const info: LabInfo = {
    graphBaseUrl: baseUrl,
    authority: `${baseUrl}/${tenant.state.tenantId}`,
    tenantId: tenant.state.tenantId,
    tenantDomain: tenant.state.tenantDomain,
    clientId: tenant.state.clientId,
    controlUrl: '',
    controlToken,
    caCertPath: files.caCertPath,
    admins: tenant.labAdmins(),
  };

  const updateSettings = (patch: Partial<LabSettings>): LabSettings => {
    // a lifetime set on its own is a fixed lifetime (tests ask for exact expiries)
    const fixedLifetime =
      patch.tokenLifetimeSeconds !== undefined && patch.tokenLifetimeSpreadSeconds === undefined
        ? { tokenLifetimeSpreadSeconds: 0 }
        : {};
    Object.assign(tenant.settings, patch, fixedLifetime);
    const onPremPatch: Parameters<OnPremServer['configure']>[0] = {};
    if (patch.syncCycleMs !== undefined) onPremPatch.syncCycleMs = patch.syncCycleMs;
    if (patch.event6956Provider !== undefined) onPremPatch.event6956Provider = patch.event6956Provider;
    if (patch.connectSyncVersion !== undefined) onPremPatch.connectSyncVersion = patch.connectSyncVersion;
    if (patch.cloudSyncAgentVersion !== undefined) onPremPatch.cloudSyncAgentVersion = patch.cloudSyncAgentVersion;
    if (patch.stagingMode !== undefined) onPremPatch.stagingMode = patch.stagingMode;
    if (Object.keys(onPremPatch).length > 0) onPrem.configure(onPremPatch);
    if (patch.cloudSyncCycleMs !== undefined) tenant.cloudSync?.reschedule();
    if (patch.cloudSyncQuarantine !== undefined) tenant.cloudSync?.applyQuarantine();
    if (patch.connectSyncVersion !== undefined) tenant.state.synchronizationClientVersion = patch.connectSyncVersion;
    return tenant.settings;
  };

  const reset = async (seed?: number, contacts?: number, nextScenario?: SeedScenario): Promise<void> => {
    if (seed !== undefined) seedNumber = seed;
    if (contacts !== undefined) contactsCount = contacts;
    if (nextScenario !== undefined) scenario = nextScenario;
    const settings = tenant.settings;
    onPrem.close();
    fresh(seedNumber, contactsCount, settings);
    faults.clear();
    faults.reseed(seedNumber);
    throttler.reset();
    info.admins = tenant.labAdmins();
    await Promise.resolve();
  };

  const save = async (file?: string): Promise<string | null> => {
    const target = file ?? opts.stateFile;
    if (!target) return null;
    mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    const data = {
      format: 'soa-pilot-lab/1',
      seed: seedNumber,
      contacts: contactsCount ?? null,
      scenario,
      clockOffsetMs: offsetMs,
      settings: tenant.settings,
      tenant: tenant.state,
      onprem: onPrem.snapshot(),
    };
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(data));
    await rename(tmp, target);
    return target;
  };

  const runtime: LabRuntime = {
    info,
    seed: () => seedNumber,
    scenario: () => scenario,
    speed: () => speed,
    tenant: () => tenant,
    onPrem: () => onPrem,
    identity,
    faults,
    throttler,
    clockOffsetMs: () => offsetMs,
    setClockOffset: (ms) => {
      offsetMs = ms;
    },
    updateSettings,
    reset,
    save,
  };
  const control = await startControlServer(runtime, controlToken);
  info.controlUrl = control.url;
  info.admins = tenant.labAdmins();

  return {
    info,
    tenant: () => tenant,
    onPrem: () => onPrem,
    settings: () => tenant.settings,
    updateSettings,
    async mintToken(upn: string, scopes: string[]): Promise<string> {
      const u = tenant.adminByUpn(upn);
      if (!u) throw new Error(`no user ${upn}`);
      const r = await identity.issue(
        u.id,
        tenant.state.clientId,
        ['openid', 'profile', 'offline_access', ...scopes].join(' '),
        null,
      );
      const at = r.access_token;
      if (typeof at !== 'string') throw new Error('no access token');
      return at;
    },
    reset,
    save,
    setClockOffset: (ms: number) => {
      offsetMs = ms;
    },
    clock,
    faults,
    writeLog: () => tenant.state.writeLog,
    auditLog: () => tenant.state.audit,
    control: (method, pathAndQuery, body) =>
      handleControl(runtime, method.toUpperCase(), new URL(pathAndQuery, 'http://127.0.0.1'), body),
    async close(): Promise<void> {
      onPrem.close();
      for (const s of [...servers, control.server]) {
        s.closeAllConnections();
        await new Promise<void>((ok) => s.close(() => ok()));
      }
    },
  };
}

/**
 * What Graph lets browser code read. Retry-After and the x-ms-throttle-* headers are not listed
 * (docs/reference/graph-and-identity.md#cors), so a renderer must back off without them; inner
 * $batch headers travel in the JSON body and stay readable.
 */
const EXPOSED_HEADERS = ['request-id', 'client-request-id', 'Location'].join(', ');

function corsHeaders(): Record<string, string> {
  return { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS };
}

function preflightHeaders(req: http.IncomingMessage): Record<string, string> {
  const requested = req.headers['access-control-request-headers'];
  return {
    'access-control-allow-methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
    'access-control-allow-headers':
      typeof requested === 'string' && requested.trim() !== ''
        ? requested
        : 'Authorization, Content-Type, client-request-id, ConsistencyLevel, SdkVersion, return-client-request-id',
    'access-control-max-age': '3600',
  };
}

function sendGraph(res: http.ServerResponse, r: GraphResponse): void {
  const headers = { ...r.headers };
  if (r.body === null || r.body === undefined) {
    delete headers['content-type'];
    res.writeHead(r.status, headers);
    res.end();
    return;
  }
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  res.writeHead(r.status, headers);
  res.end(text);
}

/**
 * "Applied, but the response was lost": the change is done, the status line starts to arrive, then
 * the connection dies mid-response. (Closing before any byte would let a browser silently resend
 * the request on a fresh connection, which is a different failure: a request that never arrived.)
 */
function loseResponse(socket: import('node:net').Socket): void {
  socket.end('HTTP/1.1 200 OK\r\nContent-Ty', () => socket.destroy());
}
