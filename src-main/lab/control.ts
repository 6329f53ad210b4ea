/**
 * The lab's control API: plain HTTP on 127.0.0.1, every call guarded by `Authorization: Bearer <controlToken>`.
 * Endpoints are documented in `src-main/lab/README.md`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { OnPremServer } from './ports';
import type { LabInfo } from './types';
import type { Faults } from './tenant/faults';
import { faultInputSchema } from './tenant/faults';
import {
  CONTACT_PATCH_SCOPE_VARIANTS,
  MAIL_ENABLED_CONTACT_PATCH_VARIANTS,
  SYNCED_CONTACT_PATCH_VARIANTS,
  type DirObject,
  type LabSettings,
} from './tenant/model';
import type { Tenant } from './tenant/tenant';
import { AadError, type IdentityService } from './identity/identity';
import type { Throttler } from './tenant/throttle';
import { SEED_SCENARIOS, type SeedScenario } from './cloudsync/seed';
import {
  CLOUD_SYNC_APP_TEMPLATE_ID_VARIANTS,
  CLOUD_SYNC_CONTACT_SKIP_VARIANTS,
  CLOUD_SYNC_JOB_DOMAIN_SETTING_VARIANTS,
  CLOUD_SYNC_OBJECT_TYPE_NAME_VARIANTS,
  CLOUD_SYNC_PAUSED_ON_DEMAND_VARIANTS,
  CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS,
  CLOUD_SYNC_QUARANTINE_VARIANTS,
  CLOUD_SYNC_SECRETS_READ_VARIANTS,
  CLOUD_SYNC_SP_NAME_VARIANTS,
  PROVISIONING_LOG_FILTER_CASE_VARIANTS,
} from './cloudsync/model';

export interface LabRuntime {
  info: LabInfo;
  seed(): number;
  scenario(): SeedScenario;
  speed(): string;
  tenant(): Tenant;
  onPrem(): OnPremServer;
  identity: IdentityService;
  faults: Faults;
  throttler: Throttler;
  clockOffsetMs(): number;
  setClockOffset(ms: number): void;
  updateSettings(patch: Partial<LabSettings>): LabSettings;
  reset(seed?: number, contacts?: number, scenario?: SeedScenario): Promise<void>;
  save(file?: string): Promise<string | null>;
}

export interface ControlResult {
  status: number;
  body: unknown;
}

const tokenSchema = z.object({ upn: z.string().min(1), scopes: z.array(z.string().min(1)).default([]) }).strict();
const revokeSchema = z.object({ upn: z.string().min(1) }).strict();
const pimActivateSchema = z.object({ upn: z.string().min(1), roleDefinitionId: z.string().min(1).optional() }).strict();
const resetSchema = z
  .object({
    seed: z.number().int().optional(),
    contacts: z.number().int().min(0).max(100_000).optional(),
    scenario: z.enum(SEED_SCENARIOS).optional(),
  })
  .strict();
const clockSchema = z.union([
  z.object({ offsetMs: z.number() }).strict(),
  z.object({ advanceMs: z.number() }).strict(),
]);
const saveSchema = z.object({ file: z.string().min(1).optional() }).strict();
export const settingsPatchSchema = z
  .object({
    auditIngestionMs: z.number().int().min(0),
    tokenLifetimeSeconds: z.number().int().min(1),
    tokenLifetimeSpreadSeconds: z.number().int().min(0),
    refreshTokenLifetimeSeconds: z.number().int().min(1),
    throttleScale: z.number().positive(),
    latencyMs: z.number().int().min(0),
    syncCycleMs: z.number().int().min(0),
    event6956Provider: z.string().min(1),
    deviceCodeIntervalSeconds: z.number().int().min(0),
    deviceCodeLifetimeSeconds: z.number().int().min(1),
    auditChangeActivityName: z.string().min(1),
    auditUndoActivityName: z.string().min(1),
    connectSyncVersion: z.string().min(1),
    cloudSyncAgentVersion: z.string().min(1).nullable(),
    stagingMode: z.boolean(),
    defaultPageSize: z.number().int().min(1).max(999),
    syncedContactPatch: z.enum(SYNCED_CONTACT_PATCH_VARIANTS),
    mailEnabledContactPatch: z.enum(MAIL_ENABLED_CONTACT_PATCH_VARIANTS),
    contactPatchScope: z.enum(CONTACT_PATCH_SCOPE_VARIANTS),
    batchThrottledOuterStatus: z.union([z.literal(200), z.literal(424)]),
    contactsInAdministrativeUnits: z.boolean(),
    otherAppsWritesPerSecond: z.number().min(0),
    cloudSyncCycleMs: z.number().int().min(1),
    provisioningLogIngestionMs: z.number().int().min(0),
    provisionOnDemandLogged: z.boolean(),
    entraIdPremium: z.boolean(),
    cloudSyncContactSkip: z.enum(CLOUD_SYNC_CONTACT_SKIP_VARIANTS),
    cloudSyncObjectTypeName: z.enum(CLOUD_SYNC_OBJECT_TYPE_NAME_VARIANTS),
    cloudSyncServicePrincipalName: z.enum(CLOUD_SYNC_SP_NAME_VARIANTS),
    cloudSyncApplicationTemplateId: z.enum(CLOUD_SYNC_APP_TEMPLATE_ID_VARIANTS),
    cloudSyncPausedSchedule: z.enum(CLOUD_SYNC_PAUSED_SCHEDULE_VARIANTS),
    cloudSyncPausedOnDemand: z.enum(CLOUD_SYNC_PAUSED_ON_DEMAND_VARIANTS),
    cloudSyncQuarantine: z.enum(CLOUD_SYNC_QUARANTINE_VARIANTS),
    cloudSyncSecretsRead: z.enum(CLOUD_SYNC_SECRETS_READ_VARIANTS),
    cloudSyncJobDomainSetting: z.enum(CLOUD_SYNC_JOB_DOMAIN_SETTING_VARIANTS),
    provisioningLogFilterCase: z.enum(PROVISIONING_LOG_FILTER_CASE_VARIANTS),
  })
  .partial()
  .strict();

/** `POST /throttle`: how full one throttle bucket is (0 = drained, e.g. by the tenant's other apps). */
const throttleFillSchema = z
  .object({
    bucket: z.enum(['appTenantWrites', 'tenantWrites', 'auditReads']),
    fill: z.number().min(0).max(1),
  })
  .strict();

function err(status: number, message: string, detail?: unknown): ControlResult {
  return { status, body: { error: { message, ...(detail === undefined ? {} : { detail }) } } };
}

export function soaState(
  o: DirObject,
): 'synced' | 'transferred' | 'rolledBackPending' | 'awaitingExportConfirmation' | 'cloudNative' {
  if (o.isCloudManaged) return 'transferred';
  if (o.takeover === 'rolledBack') return 'rolledBackPending';
  if (o.takeover === 'awaitingExportConfirmation') return 'awaitingExportConfirmation';
  if (o.onPremisesSyncEnabled === true) return 'synced';
  return 'cloudNative';
}

function fullObject(t: Tenant, o: DirObject): Record<string, unknown> {
  return {
    ...o,
    soaState: soaState(o),
    memberOf: t
      .objectsOf('group')
      .filter((g) => g.members.includes(o.id))
      .map((g) => ({ id: g.id, displayName: g.displayName })),
    administrativeUnits: t.administrativeUnitsOf(o.id).map((a) => ({ id: a.id, displayName: a.displayName })),
  };
}

export async function handleControl(lab: LabRuntime, method: string, url: URL, body: unknown): Promise<ControlResult> {
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const t = lab.tenant();
  t.cloudSync?.catchUp();
  const parse = <T>(schema: z.ZodType<T>): T | ControlResult => {
    const r = schema.safeParse(body ?? {});
    return r.success ? r.data : err(400, 'invalid body', r.error.issues);
  };
  const isResult = (x: unknown): x is ControlResult =>
    typeof x === 'object' && x !== null && 'status' in x && 'body' in x && Object.keys(x).length === 2;

  if (p.startsWith('/onprem/') || p === '/onprem') {
    const r = await lab
      .onPrem()
      .handle({ method, path: p.slice('/onprem'.length) || '/', query: url.searchParams, body });
    return { status: r.status, body: r.body };
  }
  switch (`${method} ${p}`) {
    case 'GET /info':
      return { status: 200, body: lab.info };
    case 'POST /token': {
      const b = parse(tokenSchema);
      if (isResult(b)) return b;
      const user = t.adminByUpn(b.upn);
      if (!user) return err(404, `no user ${b.upn}`);
      try {
        const res = await lab.identity.issue(
          user.id,
          t.state.clientId,
          ['openid', 'profile', 'offline_access', ...b.scopes].join(' '),
          null,
        );
        return { status: 200, body: res };
      } catch (e) {
        if (e instanceof AadError) return { status: 400, body: lab.identity.aadErrorBody(e) };
        throw e;
      }
    }
    case 'POST /revoke-sign-in-sessions': {
      // like Graph's revokeSignInSessions: refresh tokens issued so far stop working; access tokens
      // already issued stay valid until they expire (docs/reference/token-lifetime.md#revoked-refresh-tokens)
      const b = parse(revokeSchema);
      if (isResult(b)) return b;
      const user = t.adminByUpn(b.upn);
      if (!user) return err(404, `no user ${b.upn}`);
      const now = t.clock.now();
      t.state.signInSessionsValidFrom = { ...t.state.signInSessionsValidFrom, [user.id]: now };
      const revoked = Object.values(t.state.refreshTokens).filter(
        (r) => r.oid === user.id && (r.issuedAt ?? 0) < now,
      ).length;
      return {
        status: 200,
        body: { ok: true, signInSessionsValidFromDateTime: new Date(now).toISOString(), refreshTokensRevoked: revoked },
      };
    }
    case 'POST /pim/activate': {
      // the admin activates a PIM-eligible role (in the portal, or roleAssignmentScheduleRequests with
      // action selfActivate): an active assignment is added, the eligibility stays. Tokens issued before
      // do not carry it (sign in again: docs/reference/graph-and-identity.md#msal-node)
      const b = parse(pimActivateSchema);
      if (isResult(b)) return b;
      const user = t.adminByUpn(b.upn);
      if (!user) return err(404, `no user ${b.upn}`);
      const eligible = t
        .eligibleAssignmentsOf(user.id)
        .filter((r) => r.viaGroupId === null && (!b.roleDefinitionId || r.roleDefinitionId === b.roleDefinitionId));
      if (eligible.length === 0) return err(404, `${b.upn} holds no matching PIM-eligible role`);
      const activated = eligible.map((r) => ({
        id: randomUUID(),
        principalId: user.id,
        roleDefinitionId: r.roleDefinitionId,
        directoryScopeId: r.directoryScopeId,
      }));
      t.state.roleAssignments.push(...activated);
      return { status: 200, body: { ok: true, activated } };
    }
    case 'POST /reset': {
      const b = parse(resetSchema);
      if (isResult(b)) return b;
      await lab.reset(b.seed, b.contacts, b.scenario);
      return { status: 200, body: { ok: true, seed: lab.seed(), scenario: lab.scenario(), info: lab.info } };
    }
    case 'GET /state': {
      const contacts = t.objectsOf('contact');
      const count = (xs: DirObject[]): Record<string, number> => {
        const out: Record<string, number> = { total: xs.length };
        for (const o of xs) out[soaState(o)] = (out[soaState(o)] ?? 0) + 1;
        return out;
      };
      return {
        status: 200,
        body: {
          info: lab.info,
          seed: lab.seed(),
          scenario: lab.scenario(),
          speed: lab.speed(),
          clock: { now: new Date(t.clock.now()).toISOString(), offsetMs: lab.clockOffsetMs() },
          settings: t.settings,
          contacts: count(contacts),
          users: count(t.objectsOf('user')),
          groups: count(t.objectsOf('group')),
          administrativeUnits: t.state.administrativeUnits.map((a) => ({
            id: a.id,
            displayName: a.displayName,
            members: a.members.length,
          })),
          onPremisesSyncFeatures: t.state.onPremisesSyncFeatures,
          auditEntries: t.state.audit.length,
          provisioningLogEntries: t.state.cloudSync?.log.length ?? 0,
          writeLogEntries: t.state.writeLog.length,
          faults: lab.faults.all(),
        },
      };
    }
    case 'POST /save': {
      const b = parse(saveSchema);
      if (isResult(b)) return b;
      const file = await lab.save(b.file);
      return file
        ? { status: 200, body: { ok: true, file } }
        : err(400, 'no state file: start the lab with --state FILE or pass {"file": "..."}');
    }
    case 'GET /objects': {
      const kind = url.searchParams.get('kind') ?? 'contact';
      const state = url.searchParams.get('state');
      const limit = Number(url.searchParams.get('limit') ?? '100');
      const rows = Object.values(t.state.objects)
        .filter((o) => o.kind === kind && (state === null || soaState(o) === state))
        .slice(0, Number.isFinite(limit) ? limit : 100)
        .map((o) => fullObject(t, o));
      return { status: 200, body: { value: rows } };
    }
    case 'GET /write-log': {
      const since = Number(url.searchParams.get('since') ?? '0');
      return { status: 200, body: { value: t.state.writeLog.filter((w) => w.seq > since) } };
    }
    case 'GET /audit-log':
      return { status: 200, body: { value: t.state.audit.map((e) => ({ ...e, visible: t.auditVisible(e) })) } };
    case 'GET /cloud-sync': {
      // the Cloud Sync configurations and the whole provisioning log, each entry with `visible`
      const visible = new Set((t.cloudSync?.visibleLog() ?? []).map((e) => e.id));
      return {
        status: 200,
        body: {
          // secrets are write-only here too: keys, never values
          configurations: (t.state.cloudSync?.configurations ?? []).map((c) => ({
            ...c,
            paused: c.paused === true,
            secrets: (c.secrets ?? []).map((x) => ({ key: x.key, value: null })),
          })),
          log: (t.state.cloudSync?.log ?? []).map((e) => ({ ...e, visible: visible.has(e.id) })),
        },
      };
    }
    case 'GET /clock':
      return { status: 200, body: { now: new Date(t.clock.now()).toISOString(), offsetMs: lab.clockOffsetMs() } };
    case 'POST /clock': {
      const b = parse(clockSchema);
      if (isResult(b)) return b;
      lab.setClockOffset('offsetMs' in b ? b.offsetMs : lab.clockOffsetMs() + b.advanceMs);
      return { status: 200, body: { now: new Date(t.clock.now()).toISOString(), offsetMs: lab.clockOffsetMs() } };
    }
    case 'GET /settings':
      return { status: 200, body: t.settings };
    case 'POST /settings': {
      const b = parse(settingsPatchSchema);
      if (isResult(b)) return b;
      const patch: Partial<LabSettings> = {};
      for (const [k, v] of Object.entries(b)) if (v !== undefined) Object.assign(patch, { [k]: v });
      return { status: 200, body: lab.updateSettings(patch) };
    }
    case 'GET /faults':
      return { status: 200, body: { value: lab.faults.all() } };
    case 'POST /faults': {
      const b = parse(faultInputSchema);
      if (isResult(b)) return b;
      try {
        new RegExp(b.path);
      } catch {
        return err(400, `invalid path regex: ${b.path}`);
      }
      return { status: 201, body: lab.faults.add(b) };
    }
    case 'DELETE /faults':
      lab.faults.clear();
      return { status: 200, body: { ok: true } };
    case 'DELETE /throttle':
      lab.throttler.reset();
      return { status: 200, body: { ok: true } };
    case 'POST /throttle': {
      const b = parse(throttleFillSchema);
      if (isResult(b)) return b;
      lab.throttler.setFill(b.bucket, b.fill);
      return { status: 200, body: { ok: true } };
    }
    default:
      break;
  }
  const objMatch = /^\/(contacts|users|groups)\/([^/]+)$/.exec(p);
  if (method === 'GET' && objMatch) {
    const kind = objMatch[1] === 'contacts' ? 'contact' : objMatch[1] === 'users' ? 'user' : 'group';
    const o = t.object(decodeURIComponent(objMatch[2] ?? ''));
    if (!o || o.kind !== kind) return err(404, `no ${kind} ${objMatch[2] ?? ''}`);
    return { status: 200, body: fullObject(t, o) };
  }
  const faultMatch = /^\/faults\/([^/]+)$/.exec(p);
  if (method === 'DELETE' && faultMatch) {
    lab.faults.clear(faultMatch[1]);
    return { status: 200, body: { ok: true } };
  }
  return err(404, `unknown control endpoint ${method} ${p}`);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startControlServer(
  lab: LabRuntime,
  controlToken: string,
): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const send = (status: number, body: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(body));
        };
        try {
          if (!tokenMatches(req.headers.authorization, controlToken)) {
            send(401, { error: { message: 'control token required: Authorization: Bearer <controlToken>' } });
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown = undefined;
          if (raw.trim() !== '') {
            try {
              body = JSON.parse(raw) as unknown;
            } catch {
              send(400, { error: { message: 'body is not JSON' } });
              return;
            }
          }
          const url = new URL(req.url ?? '/', 'http://127.0.0.1');
          const r = await handleControl(lab, (req.method ?? 'GET').toUpperCase(), url, body);
          send(r.status, r.body);
        } catch (e) {
          send(500, { error: { message: e instanceof Error ? e.message : 'internal error' } });
        }
      })();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  return { server, url: `http://127.0.0.1:${port}` };
}
