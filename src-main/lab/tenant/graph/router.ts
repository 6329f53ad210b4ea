/**
 * The lab's Microsoft Graph (v1.0 and beta) front door: version check, token validation,
 * throttling, routing to the resource that owns the path, and the Graph error shape for every
 * failure. The resources live beside this file, one file each.
 */
import type { RequestIds } from '../tenant';
import { GraphError } from '../odata';
import { bucket, type BucketSpec } from '../throttle';
import type { Ctx, GraphDeps, GraphRequest, GraphResponse, Handler, RouteSpec } from './context';
import { graphErrorBody } from './errors';
import { runBatch } from './batch';
import { contactRoutes } from './contacts';
import { syncBehaviorRoutes } from './sync-behavior';
import { userRoutes } from './users';
import { groupRoutes } from './groups';
import { meRoutes } from './me';
import { roleAssignmentRoutes } from './roles';
import { administrativeUnitRoutes } from './administrative-units';
import { auditRoutes } from './audit';
import { onPremisesSyncRoutes } from './on-premises-sync';
import { consentRoutes } from './consent';
import { synchronizationRoutes } from './synchronization';
import { provisioningLogRoutes } from './provisioning-logs';

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
}

/** In match order: the first route whose method and pattern fit the request wins. */
const ROUTES: readonly RouteSpec[] = [
  ...contactRoutes,
  ...syncBehaviorRoutes,
  ...userRoutes,
  ...groupRoutes,
  ...meRoutes,
  ...roleAssignmentRoutes,
  ...administrativeUnitRoutes,
  ...auditRoutes,
  ...onPremisesSyncRoutes,
  ...synchronizationRoutes,
  ...provisioningLogRoutes,
  ...consentRoutes,
];

export class GraphService {
  private readonly routes: Route[] = ROUTES.map((r) => ({
    method: r.method,
    re: new RegExp(`^${r.pattern}/?$`, 'i'),
    handler: r.handler,
  }));

  constructor(private readonly deps: GraphDeps) {}

  async handle(req: GraphRequest): Promise<GraphResponse> {
    const tenant = this.deps.tenant();
    const ids: RequestIds = {
      requestId: req.requestId,
      clientRequestId: req.clientRequestId,
      batchStepId: req.batchStepId,
    };
    const finish = (r: GraphResponse): GraphResponse => {
      r.headers['request-id'] = req.requestId;
      r.headers['client-request-id'] = req.clientRequestId ?? req.requestId;
      return r;
    };
    try {
      if (req.version !== 'v1.0' && req.version !== 'beta') throw new GraphError(400, 'BadRequest', 'Invalid version.');
      // Cloud Sync cycles due on the lab clock run before anything reads the tenant
      tenant.cloudSync?.catchUp();
      if (req.method === 'POST' && req.path === '/$batch')
        return finish(
          await runBatch(req, {
            faults: this.deps.faults,
            now: () => this.deps.tenant().clock.now(),
            throttledOuterStatus: () => this.deps.tenant().settings.batchThrottledOuterStatus,
            dispatch: (step) => this.handle(step),
          }),
        );
      const auth = req.headers.authorization ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      if (!m?.[1]) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
      const v = await this.deps.tokens.verifyAccessToken(m[1].trim());
      if (!v.ok) throw new GraphError(401, 'InvalidAuthenticationToken', v.message);
      if (v.value.tenantId !== tenant.state.tenantId)
        throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
      const who = v.value;
      const route = this.match(req.method, req.path);
      if (!route) {
        const seg = req.path.split('/').filter(Boolean)[0] ?? '';
        throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${seg}'.`);
      }
      const ctx: Ctx = {
        req,
        who,
        actor: { oid: who.oid, upn: who.upn, name: who.name, appId: who.appId },
        advanced: (req.headers.consistencylevel ?? '').toLowerCase() === 'eventual',
        tenant,
        ids,
        base: `${this.deps.baseUrl()}/${req.version}`,
      };
      // throttling
      const isWrite = req.method !== 'GET' && req.method !== 'HEAD';
      const isAudit = req.path.toLowerCase().startsWith('/auditlogs/');
      const onDemand = req.method === 'POST' && /\/provisionOnDemand$/i.test(req.path);
      const specs: BucketSpec[] = onDemand
        ? [bucket('provisionOnDemand'), bucket('appTenantWrites'), bucket('tenantWrites')]
        : isWrite
          ? [bucket('appTenantWrites'), bucket('tenantWrites')]
          : isAudit
            ? [bucket('auditReads')]
            : [];
      let pct: number | null = null;
      if (specs.length > 0) {
        const d = this.deps.throttler.take(specs, who.appId, who.tenantId);
        if (!d.ok) {
          throw new GraphError(
            429,
            'Request_ThrottledTemporarily',
            `Your request is throttled temporarily. Please try after ${d.retryAfterSeconds} seconds.`,
            {
              'retry-after': String(d.retryAfterSeconds),
              'x-ms-throttle-limit-percentage': d.percentage.toFixed(1),
              'x-ms-throttle-scope': d.scope,
              'x-ms-throttle-information': d.information,
            },
          );
        }
        pct = d.percentage;
      }
      const res = await route.handler(ctx, route.m);
      if (pct !== null) res.headers['x-ms-throttle-limit-percentage'] = pct.toFixed(1);
      if (!isWrite) res.headers['x-ms-resource-unit'] = '1';
      return finish(res);
    } catch (e) {
      if (e instanceof GraphError) {
        return finish({
          status: e.status,
          headers: { 'content-type': 'application/json', ...e.headers },
          body: graphErrorBody(e.code, e.message, req.requestId, req.clientRequestId, tenant.clock.now()),
        });
      }
      return finish({
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: graphErrorBody(
          'InternalServerError',
          e instanceof Error ? e.message : 'Internal error.',
          req.requestId,
          req.clientRequestId,
          tenant.clock.now(),
        ),
      });
    }
  }

  private match(method: string, path: string): (Route & { m: RegExpExecArray }) | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (m) return { ...r, m };
    }
    return undefined;
  }
}
