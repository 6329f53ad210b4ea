/**
 * The synchronization API of a Cloud Sync configuration's service principal:
 * `/servicePrincipals/{id}/synchronization/jobs[/{jobId}[/schema|/provisionOnDemand|/start|/pause|/restart]]`
 * and `/servicePrincipals/{id}/synchronization/secrets`.
 * Shapes, permissions and roles as Microsoft Graph documents them (docs/reference/cloud-sync.md).
 * `start` runs no cycle: it resumes a paused job (Microsoft says to use it for paused or quarantined jobs only,
 * never as a "sync now"); `pause` stops the cycles; `restart` resumes and drops the watermark. Secrets are
 * write-only: a value is never answered nor written to the write log.
 */
import { z } from 'zod';
import { GraphError } from '../odata';
import type { CloudSyncConfiguration } from '../../cloudsync/model';
import { jobView, schemaView } from '../../cloudsync/schema';
import { ID, noContent, ok, type Ctx, type GraphResponse, type RouteSpec } from './context';
import { denied, notFound } from './errors';
import { SCOPES, requireScopes } from './scopes';

const SP = `/servicePrincipals/${ID}/synchronization/jobs`;

const provisionOnDemandBody = z.object({
  parameters: z
    .array(
      z.object({
        ruleId: z.string().min(1),
        subjects: z
          .array(
            z.object({
              objectId: z.string().min(1),
              objectTypeName: z.string().min(1),
              links: z.unknown().optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

const restartBody = z
  .object({ criteria: z.object({ resetScope: z.string().nullable().optional() }).nullable().optional() })
  .nullable();

const secretsBody = z.object({
  value: z.array(z.object({ key: z.string().min(1), value: z.string() })).min(1),
});

function configuration(ctx: Ctx, spId: string, write: boolean): CloudSyncConfiguration {
  requireScopes(ctx, write ? SCOPES.synchronizationWrite : SCOPES.synchronizationRead);
  const action = write
    ? 'microsoft.directory/servicePrincipals/synchronizationJobs/manage'
    : 'microsoft.directory/servicePrincipals/synchronization/standard/read';
  if (!ctx.tenant.canTenantWide(ctx.who.oid, action)) throw denied();
  const cfg = ctx.tenant.cloudSync?.configurationBySp(spId);
  if (!cfg) throw notFound(spId);
  return cfg;
}

function job(ctx: Ctx, m: RegExpExecArray, write: boolean): CloudSyncConfiguration {
  const cfg = configuration(ctx, m[1] ?? '', write);
  if ((m[2] ?? '').toLowerCase() !== cfg.jobId.toLowerCase()) throw notFound(m[2] ?? '');
  return cfg;
}

function jobBody(ctx: Ctx, cfg: CloudSyncConfiguration): Record<string, unknown> {
  const svc = ctx.tenant.cloudSync;
  const counts = svc ? svc.counts(cfg) : { contact: 0, user: 0, group: 0 };
  return jobView(cfg, ctx.tenant.settings.cloudSyncCycleMs, counts, {
    pausedSchedule: ctx.tenant.settings.cloudSyncPausedSchedule,
    domainSetting: ctx.tenant.settings.cloudSyncJobDomainSetting,
    quarantine: svc ? svc.quarantineView(cfg) : null,
  });
}

function provisionOnDemand(ctx: Ctx, m: RegExpExecArray): GraphResponse {
  const cfg = job(ctx, m, true);
  const parsed = provisionOnDemandBody.safeParse(ctx.req.body);
  if (ctx.req.bodyInvalid || !parsed.success)
    throw new GraphError(400, 'BadRequest', 'The request body must carry "parameters" with a ruleId and subjects.');
  const params = parsed.data.parameters;
  const first = params[0];
  const subject = first?.subjects[0];
  if (!first || !subject || params.length > 1 || first.subjects.length > 1)
    throw new GraphError(400, 'BadRequest', 'On-demand provisioning takes one subject per request.');
  const svc = ctx.tenant.cloudSync;
  if (!svc) throw notFound(m[1] ?? '');
  const r = svc.provisionOnDemand(cfg, first.ruleId, subject, ctx.actor);
  if (!r.ok) throw new GraphError(r.status, r.code, r.message);
  ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, null, ctx.req.body, ctx.ids);
  return ok({
    '@odata.context': `${ctx.base}/$metadata#microsoft.graph.stringKeyStringValuePair`,
    key: r.key,
    value: r.value,
  });
}

export const synchronizationRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: SP,
    handler: (ctx, m) => {
      const cfg = configuration(ctx, m[1] ?? '', false);
      return ok({
        '@odata.context': `${ctx.base}/$metadata#servicePrincipals('${cfg.servicePrincipalId}')/synchronization/jobs`,
        value: [jobBody(ctx, cfg)],
      });
    },
  },
  {
    method: 'GET',
    pattern: `${SP}/${ID}`,
    handler: (ctx, m) => {
      const cfg = job(ctx, m, false);
      return ok({
        '@odata.context': `${ctx.base}/$metadata#servicePrincipals('${cfg.servicePrincipalId}')/synchronization/jobs/$entity`,
        ...jobBody(ctx, cfg),
      });
    },
  },
  {
    method: 'GET',
    pattern: `${SP}/${ID}/schema`,
    handler: (ctx, m) => {
      const cfg = job(ctx, m, false);
      return ok({
        '@odata.context': `${ctx.base}/$metadata#servicePrincipals('${cfg.servicePrincipalId}')/synchronization/jobs('${cfg.jobId}')/schema/$entity`,
        ...schemaView(cfg),
      });
    },
  },
  { method: 'POST', pattern: `${SP}/${ID}/provisionOnDemand`, handler: provisionOnDemand },
  {
    method: 'POST',
    pattern: `${SP}/${ID}/start`,
    handler: (ctx, m) => {
      const cfg = job(ctx, m, true);
      ctx.tenant.cloudSync?.start(cfg);
      ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, null, ctx.req.body ?? null, ctx.ids);
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: `${SP}/${ID}/pause`,
    handler: (ctx, m) => {
      const cfg = job(ctx, m, true);
      ctx.tenant.cloudSync?.pause(cfg);
      ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, null, null, ctx.ids);
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: `${SP}/${ID}/restart`,
    handler: (ctx, m) => {
      const cfg = job(ctx, m, true);
      const parsed = restartBody.safeParse(ctx.req.body ?? null);
      if (ctx.req.bodyInvalid || !parsed.success)
        throw new GraphError(400, 'BadRequest', 'The request body may carry only "criteria" with a "resetScope".');
      ctx.tenant.cloudSync?.restart(cfg, parsed.data?.criteria?.resetScope ?? null);
      ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, null, ctx.req.body ?? null, ctx.ids);
      return noContent();
    },
  },
  {
    method: 'PUT',
    pattern: `/servicePrincipals/${ID}/synchronization/secrets`,
    handler: (ctx, m) => {
      const cfg = configuration(ctx, m[1] ?? '', true);
      const parsed = secretsBody.safeParse(ctx.req.body);
      if (ctx.req.bodyInvalid || !parsed.success)
        throw new GraphError(400, 'BadRequest', 'The request body must carry "value": a list of key/value secrets.');
      ctx.tenant.cloudSync?.putSecrets(cfg, parsed.data.value);
      // the write log keeps the keys only: a secret's value is never stored outside the configuration
      const withheld = { value: parsed.data.value.map((x) => ({ key: x.key, value: null })) };
      ctx.tenant.logWrite(ctx.actor, 'PUT', `/${ctx.req.version}${ctx.req.path}`, null, withheld, ctx.ids);
      return noContent();
    },
  },
  {
    method: 'GET',
    pattern: `/servicePrincipals/${ID}/synchronization/secrets`,
    handler: (ctx, m) => {
      const cfg = configuration(ctx, m[1] ?? '', false);
      // Microsoft documents no read of the secrets [U]: 405, or the keys with every value withheld
      if (ctx.tenant.settings.cloudSyncSecretsRead === 'notSupported')
        throw new GraphError(405, 'Request_BadRequest', 'The secrets of a synchronization cannot be read.');
      return ok({
        '@odata.context': `${ctx.base}/$metadata#servicePrincipals('${cfg.servicePrincipalId}')/synchronization/secrets`,
        value: (cfg.secrets ?? []).map((x) => ({ key: x.key, value: null })),
      });
    },
  },
];
