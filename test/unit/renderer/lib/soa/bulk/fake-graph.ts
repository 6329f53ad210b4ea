/**
 * An in-memory Graph behind the GraphBatchPort: a real (small) implementation of the endpoints the
 * bulk flows use, with a write log and scripted faults. It stands in until/besides the lab; it is
 * not a mock of the pipeline (the pipeline under test runs unchanged against it).
 */
import type {
  BatchBody,
  BatchHttpResponse,
  BatchRequest,
  GraphBatchPort,
} from '../../../../../../src-renderer/lib/soa/bulk/ports';

export interface FakeObject {
  id: string;
  kind: 'contact' | 'user' | 'group';
  displayName: string;
  mail: string | null;
  companyName: string | null;
  department: string | null;
  onPremisesSyncEnabled: boolean | null;
  /** left out of the body when undefined (as if not selected) */
  onPremisesLastSyncDateTime?: string | null;
  isCloudManaged: boolean;
  /** groups: member ids */
  members: string[];
}

/** What happens to one inner request (or, for `drop`/`lost`, to the whole batch). */
export type Fault = 'none' | '429' | '503' | '403' | '500' | 'drop' | 'lost';

export interface FaultPlan {
  /** Called per request; a `drop` or `lost` result applies to its whole batch. */
  decide(req: BatchRequest, batchNo: number): Fault;
}

export class FakeGraph implements GraphBatchPort {
  readonly objects = new Map<string, FakeObject>();
  readonly aus = new Map<string, string[]>();
  readonly writeLog: { id: string; value: boolean; at: number }[] = [];
  batches = 0;
  maxBatchSize = 0;
  faults: FaultPlan = { decide: () => 'none' };
  /** optional per-batch delay (ms) to let concurrency show */
  latencyMs = 0;
  /** the `Retry-After` a scripted 429 carries (seconds, as Graph sends it) */
  retryAfter = '0';
  /** when set, successful writes carry `x-ms-throttle-limit-percentage` with this value */
  limitPercentage: string | undefined;

  add(o: Partial<FakeObject> & { id: string }): FakeObject {
    const full: FakeObject = {
      kind: 'contact',
      displayName: o.id,
      mail: null,
      companyName: null,
      department: null,
      onPremisesSyncEnabled: true,
      isCloudManaged: false,
      members: [],
      ...o,
    };
    this.objects.set(full.id, full);
    return full;
  }

  writesFor(id: string): number {
    return this.writeLog.filter((w) => w.id === id).length;
  }

  async sendBatch(body: BatchBody): Promise<BatchHttpResponse> {
    const batchNo = ++this.batches;
    if (body.requests.length > 20)
      return { status: 400, headers: {}, body: { error: { code: 'BadRequest', message: 'too many' } } };
    this.maxBatchSize = Math.max(this.maxBatchSize, body.requests.length);
    const ids = new Set(body.requests.map((r) => r.id));
    if (ids.size !== body.requests.length)
      return { status: 400, headers: {}, body: { error: { code: 'BadRequest', message: 'dup id' } } };
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    const decisions = body.requests.map((r) => this.faults.decide(r, batchNo));
    if (decisions.includes('drop')) throw new Error('socket hang up');
    const responses = body.requests.map((r, i) => {
      const d = decisions[i];
      if (d === '429')
        return {
          id: r.id,
          status: 429,
          headers: { 'Retry-After': this.retryAfter },
          body: { error: { code: 'TooManyRequests', message: 'throttled' } },
        };
      if (d === '403')
        return {
          id: r.id,
          status: 403,
          headers: {},
          body: {
            error: {
              code: 'Authorization_RequestDenied',
              message: 'Insufficient privileges to complete the operation.',
            },
          },
        };
      if (d === '500')
        return {
          id: r.id,
          status: 500,
          headers: {},
          body: { error: { code: 'InternalServerError', message: 'Internal server error.' } },
        };
      if (d === '503')
        return {
          id: r.id,
          status: 503,
          headers: {},
          body: { error: { code: 'ServiceUnavailable', message: 'try later' } },
        };
      return { id: r.id, ...this.handle(r) };
    });
    if (decisions.includes('lost')) throw new Error('ECONNRESET after the request was applied');
    return { status: 200, headers: {}, body: { responses: [...responses].reverse() } };
  }

  private handle(r: BatchRequest): { status: number; headers: Record<string, string>; body?: unknown } {
    const url = new URL(r.url, 'https://fake.local');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const notFound = {
      status: 404,
      headers: {},
      body: { error: { code: 'Request_ResourceNotFound', message: 'not found' } },
    };
    const [coll, id, nav] = parts;
    const kindOf: Record<string, FakeObject['kind']> = { contacts: 'contact', users: 'user', groups: 'group' };
    if (coll === 'directory' && id === 'administrativeUnits' && parts[3] === 'members') {
      const members = this.aus.get(parts[2] ?? '') ?? [];
      return { status: 200, headers: {}, body: { value: members.map((m) => ({ id: m })) } };
    }
    const kind = coll ? kindOf[coll] : undefined;
    if (!kind) return notFound;
    if (!id) {
      const filter = url.searchParams.get('$filter') ?? '';
      // like Graph (and the lab): endsWith is not a documented filter on orgContact
      if (kind === 'contact' && /endswith\(/i.test(filter))
        return {
          status: 400,
          headers: {},
          body: { error: { code: 'Request_UnsupportedQuery', message: 'Unsupported or invalid query filter clause.' } },
        };
      const list = [...this.objects.values()].filter((o) => o.kind === kind && matches(o, filter));
      return { status: 200, headers: {}, body: { '@odata.count': list.length, value: list.map(view) } };
    }
    const o = this.objects.get(id);
    if (!o || o.kind !== kind) return notFound;
    if (!nav) return { status: 200, headers: {}, body: view(o) };
    if (nav === 'onPremisesSyncBehavior') {
      if (r.method === 'GET') return { status: 200, headers: {}, body: { id: o.id, isCloudManaged: o.isCloudManaged } };
      if (r.method === 'PATCH') {
        const value = (r.body as { isCloudManaged?: unknown } | undefined)?.isCloudManaged;
        if (typeof value !== 'boolean')
          return { status: 400, headers: {}, body: { error: { code: 'BadRequest', message: 'isCloudManaged' } } };
        o.isCloudManaged = value;
        if (value) o.onPremisesSyncEnabled = null;
        this.writeLog.push({ id: o.id, value, at: Date.now() });
        const headers: Record<string, string> = { 'request-id': `req-${this.writeLog.length}` };
        if (this.limitPercentage) headers['x-ms-throttle-limit-percentage'] = this.limitPercentage;
        return { status: 204, headers };
      }
    }
    if (nav === 'memberOf') {
      const groups = [...this.objects.values()].filter((g) => g.kind === 'group' && g.members.includes(o.id));
      return {
        status: 200,
        headers: {},
        body: { value: groups.map((g) => ({ '@odata.type': '#microsoft.graph.group', ...view(g) })) },
      };
    }
    if (nav === 'members' && o.kind === 'group') {
      return {
        status: 200,
        headers: {},
        body: {
          value: o.members.flatMap((m) => (this.objects.get(m) ? [view(this.objects.get(m) as FakeObject)] : [])),
        },
      };
    }
    return notFound;
  }
}

function view(o: FakeObject): Record<string, unknown> {
  return {
    id: o.id,
    displayName: o.displayName,
    mail: o.mail,
    companyName: o.companyName,
    department: o.department,
    onPremisesSyncEnabled: o.onPremisesSyncEnabled,
    ...(o.onPremisesLastSyncDateTime !== undefined ? { onPremisesLastSyncDateTime: o.onPremisesLastSyncDateTime } : {}),
  };
}

/** The `$filter` subset the flows send: clauses joined by `and` / `or`. */
function matches(o: FakeObject, filter: string): boolean {
  if (!filter) return true;
  const or = filter.split(/\s+or\s+/);
  return or.some((alt) =>
    alt.split(/\s+and\s+/).every((clause) => {
      let m = /^startswith\((\w+),'(.*)'\)$/.exec(clause.trim());
      if (m)
        return String(field(o, m[1] ?? '') ?? '')
          .toLowerCase()
          .startsWith((m[2] ?? '').replace(/''/g, "'").toLowerCase());
      m = /^endswith\((\w+),'(.*)'\)$/.exec(clause.trim());
      if (m)
        return String(field(o, m[1] ?? '') ?? '')
          .toLowerCase()
          .endsWith((m[2] ?? '').replace(/''/g, "'").toLowerCase());
      m = /^(\w+) eq '(.*)'$/.exec(clause.trim());
      if (m) return String(field(o, m[1] ?? '') ?? '').toLowerCase() === (m[2] ?? '').replace(/''/g, "'").toLowerCase();
      return false;
    }),
  );
}

function field(o: FakeObject, name: string): unknown {
  return (o as unknown as Record<string, unknown>)[name];
}
