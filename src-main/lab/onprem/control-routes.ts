/**
 * `{controlUrl}/onprem/*` → the on-prem model. Documented in README.md ("On-premises control endpoints").
 */
import { z } from 'zod';
import type { OnPremControlRequest, OnPremControlResponse } from '../ports.js';
import { adObjectView, findAdObjects, getAdDomain, setAdObject, setAdObjectBody } from './ad-forest.js';
import type { OnPremContext } from './context.js';
import { eventView, queryEvents, writeEvent } from './event-log.js';
import { hostProbe, services } from './host-probe.js';
import { badRequest, connectorNotFound, PsError, serviceNotFound } from './ps-errors.js';
import { configState } from './state.js';
import type { SyncEngine } from './sync-engine.js';
import { ALLOWED_INTERVAL_MS } from './sync-engine.js';
import { parseTimeSpan } from './timespan.js';

export interface RouteDeps {
  ctx: OnPremContext;
  engine: SyncEngine;
  configure: (patch: z.infer<typeof configPatch>) => void;
  snapshot: () => unknown;
}

export const configPatch = configState.partial().strict();

/** Case-insensitive view over the query string. */
class Query {
  private readonly map = new Map<string, string[]>();
  constructor(q: URLSearchParams) {
    for (const [k, v] of q) {
      const key = k.toLowerCase();
      this.map.set(key, [...(this.map.get(key) ?? []), v]);
    }
  }
  one(name: string): string | undefined {
    const v = this.map.get(name.toLowerCase());
    return v === undefined ? undefined : v[v.length - 1];
  }
  /** several values: repeated parameters and/or comma lists */
  many(name: string): string[] | undefined {
    const v = this.map.get(name.toLowerCase());
    if (v === undefined) return undefined;
    return v
      .flatMap((x) => x.split(','))
      .map((x) => x.trim())
      .filter((x) => x !== '');
  }
  int(name: string, min = 0): number | undefined {
    const v = this.one(name);
    if (v === undefined) return undefined;
    const r = z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min)).safeParse(v.trim());
    if (!r.success) throw badRequest(`Query parameter ${name} must be an integer >= ${min}.`);
    return r.data;
  }
  ints(name: string): number[] | undefined {
    const v = this.many(name);
    if (v === undefined) return undefined;
    return v.map((x) => {
      if (!/^\d+$/.test(x)) throw badRequest(`Query parameter ${name} must hold integers.`);
      return Number(x);
    });
  }
  date(name: string): number | undefined {
    const v = this.one(name);
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw badRequest(`Query parameter ${name} must be an ISO 8601 date.`);
    return ms;
  }
}

const cycleBody = z
  .object({
    PolicyType: z.enum(['Delta', 'Initial', 'Unspecified']).optional(),
    InteractiveMode: z.boolean().optional(),
  })
  .strict();

const timeSpanString = z.string().refine((s) => parseTimeSpan(s) !== undefined, 'a TimeSpan like 00:30:00');
const schedulerBody = z
  .object({
    CustomizedSyncCycleInterval: timeSpanString.nullable().optional(),
    SyncCycleEnabled: z.boolean().optional(),
    NextSyncCyclePolicyType: z.enum(['Unspecified', 'Delta', 'Initial']).optional(),
    PurgeRunHistoryInterval: timeSpanString.optional(),
    MaintenanceEnabled: z.boolean().optional(),
    SchedulerSuspended: z.boolean().optional(),
  })
  .strict();

const newEventBody = z
  .object({
    Id: z.number().int().min(0).max(65535),
    ProviderName: z.string().min(1),
    Message: z.string(),
    Level: z.number().int().min(1).max(5).optional(),
    LogName: z.literal('Application').optional(),
    Properties: z.array(z.string()).optional(),
  })
  .strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body === undefined || body === null || body === '' ? {} : body);
  if (!r.success) {
    throw badRequest(
      `Invalid request body: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

const ok = (body: unknown, status = 200): OnPremControlResponse => ({ status, body });

export async function handleOnPrem(deps: RouteDeps, req: OnPremControlRequest): Promise<OnPremControlResponse> {
  try {
    return route(deps, req);
  } catch (e) {
    if (e instanceof PsError) return { status: e.status, body: e.toBody() };
    const message = e instanceof Error ? e.message : String(e);
    return {
      status: 500,
      body: { error: { type: 'System.Exception', message, fqid: 'LabInternalError', category: 'NotSpecified' } },
    };
  }
}

function route(deps: RouteDeps, req: OnPremControlRequest): OnPremControlResponse {
  const { ctx, engine } = deps;
  const path = (req.path.replace(/\/+$/, '') || '/').toLowerCase();
  const method = req.method.toUpperCase();
  const q = new Query(req.query);
  const key = `${method} ${path}`;

  switch (key) {
    // ---------------------------------------------------------------- AD
    case 'GET /ad/objects': {
      const scope = q.one('SearchScope');
      if (scope !== undefined && !['base', 'onelevel', 'subtree'].includes(scope.toLowerCase())) {
        throw badRequest('SearchScope must be Base, OneLevel or Subtree.');
      }
      const found = findAdObjects(ctx, {
        identity: q.one('Identity'),
        distinguishedName: q.one('DistinguishedName'),
        mail: q.one('mail'),
        displayName: q.one('displayName'),
        objectClass: q.one('ObjectClass'),
        searchBase: q.one('SearchBase'),
        searchScope:
          scope === undefined
            ? undefined
            : ({ base: 'Base', onelevel: 'OneLevel', subtree: 'Subtree' } as const)[
                scope.toLowerCase() as 'base' | 'onelevel' | 'subtree'
              ],
        ldapFilter: q.one('LDAPFilter'),
        resultSetSize: q.int('ResultSetSize', 1),
        server: q.one('Server'),
      });
      return ok({ value: found.map(adObjectView) });
    }
    case 'GET /ad/domain':
      return ok(getAdDomain(ctx, { current: q.one('Current'), identity: q.one('Identity'), server: q.one('Server') }));
    case 'POST /ad/objects/set':
      return ok(adObjectView(setAdObject(ctx, parseBody(setAdObjectBody, req.body))));

    // ---------------------------------------------------------------- sync engine
    case 'GET /sync/scheduler':
      return ok(engine.schedulerView());
    case 'POST /sync/scheduler': {
      const b = parseBody(schedulerBody, req.body);
      const s = ctx.state.scheduler;
      if (b.CustomizedSyncCycleInterval !== undefined) {
        const ms =
          b.CustomizedSyncCycleInterval === null ? null : (parseTimeSpan(b.CustomizedSyncCycleInterval) ?? null);
        if (ms !== null && ms < ALLOWED_INTERVAL_MS) {
          throw badRequest('CustomizedSyncCycleInterval is below the AllowedSyncCycleInterval (00:30:00).');
        }
        s.customizedIntervalMs = ms;
      }
      if (b.SyncCycleEnabled !== undefined) s.syncCycleEnabled = b.SyncCycleEnabled;
      if (b.NextSyncCyclePolicyType !== undefined) s.nextPolicy = b.NextSyncCyclePolicyType;
      if (b.PurgeRunHistoryInterval !== undefined)
        s.purgeRunHistoryMs = parseTimeSpan(b.PurgeRunHistoryInterval) ?? s.purgeRunHistoryMs;
      if (b.MaintenanceEnabled !== undefined) s.maintenanceEnabled = b.MaintenanceEnabled;
      if (b.SchedulerSuspended !== undefined) s.schedulerSuspended = b.SchedulerSuspended;
      return ok(engine.schedulerView());
    }
    case 'POST /sync/cycle': {
      const b = parseBody(cycleBody, req.body);
      return ok(engine.startCycle(b.PolicyType));
    }
    case 'GET /sync/run-status':
      return ok({ value: engine.runStatus() });
    case 'GET /sync/connectors': {
      const name = q.one('Name');
      const id = q.one('Identifier');
      let list = engine.connectors();
      if (name !== undefined) list = list.filter((c) => c.Name.toLowerCase() === name.toLowerCase());
      if (id !== undefined) list = list.filter((c) => c.Identifier === id.toLowerCase().replace(/^\{|\}$/g, ''));
      if ((name !== undefined || id !== undefined) && list.length === 0)
        throw connectorNotFound('GetADSyncConnectorCmdlet');
      return ok({ value: list.map((c) => engine.connectorView(c)) });
    }
    case 'GET /sync/run-history': {
      const runHistoryId = q.one('RunHistoryId')?.toLowerCase();
      const connectorId = q.one('ConnectorId')?.toLowerCase();
      const runProfileId = q.one('RunProfileId')?.toLowerCase();
      const runNumber = q.int('RunNumber');
      const requested = q.int('NumberRequested', 1);
      let runs = engine
        .runsNewestFirst()
        .filter(
          (r) =>
            (runHistoryId === undefined || r.RunHistoryId === runHistoryId) &&
            (connectorId === undefined || r.ConnectorId === connectorId) &&
            (runProfileId === undefined || r.RunProfileId === runProfileId) &&
            (runNumber === undefined || r.RunNumber === runNumber),
        );
      if (requested !== undefined) runs = runs.slice(0, requested);
      const details = q.one('RunStepDetails')?.toLowerCase() === 'true';
      return ok({ value: runs.map((r) => engine.runView(r, details)) });
    }
    case 'GET /sync/rules': {
      const id = q
        .one('Identifier')
        ?.toLowerCase()
        .replace(/^\{|\}$/g, '');
      const rules = engine.ruleViews().filter((r) => id === undefined || r.Identifier === id);
      return ok({ value: rules });
    }
    case 'GET /sync/connector-statistics': {
      const name = q.one('ConnectorName');
      if (name === undefined) throw badRequest('ConnectorName is required.');
      const connector = engine.connectors().find((c) => c.Name.toLowerCase() === name.toLowerCase());
      if (!connector) throw connectorNotFound('GetADSyncConnectorStatisticsCmdlet');
      return ok(engine.connectorStatistics(connector));
    }
    case 'GET /sync/cs-objects': {
      const identifier = q.one('Identifier');
      if (identifier !== undefined) {
        const cs = engine.findCsById(identifier.replace(/^\{|\}$/g, ''));
        return ok({ value: cs ? [cs] : [] });
      }
      const name = q.one('ConnectorName');
      const connId = q
        .one('ConnectorIdentifier')
        ?.toLowerCase()
        .replace(/^\{|\}$/g, '');
      if (name === undefined && connId === undefined) {
        throw badRequest('Give Identifier, ConnectorName or ConnectorIdentifier.');
      }
      const connector = engine
        .connectors()
        .find(
          (c) =>
            (name === undefined || c.Name.toLowerCase() === name.toLowerCase()) &&
            (connId === undefined || c.Identifier === connId),
        );
      if (!connector) throw connectorNotFound('GetADSyncCSObjectCmdlet');
      const dn = q.one('DistinguishedName');
      if (dn !== undefined) {
        const cs = engine.findCsByDn(connector, dn);
        return ok({ value: cs ? [cs] : [] });
      }
      const start = q.int('StartIndex') ?? 0;
      const max = q.int('MaxResultCount', 1) ?? 1000;
      return ok({ value: engine.csObjects(connector, start, max) });
    }
    case 'GET /sync/mv-objects': {
      const id = q.one('Identifier');
      if (id === undefined) throw badRequest('Identifier is required.');
      const mv = engine.findMv(id.replace(/^\{|\}$/g, ''));
      return ok({ value: mv ? [mv] : [] });
    }

    // ---------------------------------------------------------------- event log
    case 'GET /events': {
      const levels = q.ints('Level');
      const found = queryEvents(ctx, {
        LogName: q.many('LogName'),
        ProviderName: q.many('ProviderName'),
        Id: q.ints('Id'),
        Level: levels,
        StartTime: q.date('StartTime'),
        EndTime: q.date('EndTime'),
        MaxEvents: q.int('MaxEvents', 1),
      });
      return ok({ value: found.map((e) => eventView(ctx, e)) });
    }
    case 'POST /events': {
      const b = parseBody(newEventBody, req.body);
      return ok(eventView(ctx, writeEvent(ctx, b)), 201);
    }

    // ---------------------------------------------------------------- host
    case 'GET /host/probe':
      return ok(hostProbe(ctx.state.config));
    case 'GET /host/services': {
      const names = q.many('Name');
      const all = services(ctx.state.config);
      if (names === undefined) return ok({ value: all });
      const out = names.map((n) => {
        const s = all.find((x) => x.Name.toLowerCase() === n.toLowerCase());
        if (!s) throw serviceNotFound(n);
        return s;
      });
      return ok({ value: out });
    }

    // ---------------------------------------------------------------- lab control
    case 'GET /configuration':
      return ok({ ...ctx.state.config });
    case 'POST /configuration':
      deps.configure(parseBody(configPatch, req.body));
      return ok({ ...ctx.state.config });
    case 'GET /snapshot':
      return ok(deps.snapshot());
  }

  const known = [
    '/ad/objects',
    '/ad/domain',
    '/ad/objects/set',
    '/sync/scheduler',
    '/sync/cycle',
    '/sync/run-status',
    '/sync/connectors',
    '/sync/run-history',
    '/sync/cs-objects',
    '/sync/mv-objects',
    '/sync/rules',
    '/sync/connector-statistics',
    '/events',
    '/host/probe',
    '/host/services',
    '/configuration',
    '/snapshot',
  ];
  if (known.includes(path)) {
    throw new PsError(
      405,
      'System.NotSupportedException',
      `Method ${method} is not allowed on ${req.path}.`,
      'LabMethodNotAllowed',
      'InvalidOperation',
    );
  }
  throw new PsError(
    404,
    'System.Management.Automation.ItemNotFoundException',
    `No on-prem endpoint ${req.path}.`,
    'LabNotFound',
    'ObjectNotFound',
  );
}
