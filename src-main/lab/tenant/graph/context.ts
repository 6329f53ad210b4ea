/**
 * What every Graph resource handler shares: the request and response shapes, the per-request
 * context, the route shape the router compiles and the success responses.
 */
import type { TokenService, VerifiedToken } from '../../identity/tokens';
import type { Throttler } from '../throttle';
import type { Actor, RequestIds, Tenant } from '../tenant';
import type { Faults } from '../faults';

export interface GraphRequest {
  method: string;
  version: string;
  /** path below the version, e.g. /contacts/{id} */
  path: string;
  query: URLSearchParams;
  /** lower-case header names */
  headers: Record<string, string>;
  body: unknown;
  /** the raw body could not be parsed as JSON */
  bodyInvalid?: boolean;
  requestId: string;
  clientRequestId: string | null;
  batchStepId: string | null;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value, text (for /$count) or null (no content) */
  body: unknown;
}

export interface GraphDeps {
  tenant: () => Tenant;
  tokens: TokenService;
  throttler: Throttler;
  faults: Faults;
  /** https://localhost:PORT */
  baseUrl: () => string;
}

/** One authenticated request, as a resource handler sees it. */
export interface Ctx {
  req: GraphRequest;
  who: VerifiedToken;
  actor: Actor;
  /** advanced query mode: `ConsistencyLevel: eventual` */
  advanced: boolean;
  tenant: Tenant;
  ids: RequestIds;
  /** https://localhost:PORT/{version}, the root of @odata.context and @odata.nextLink */
  base: string;
}

export type Handler = (ctx: Ctx, m: RegExpExecArray) => GraphResponse | Promise<GraphResponse>;

/** A route as a resource declares it; `pattern` is a regular expression over the path, without anchors. */
export interface RouteSpec {
  method: string;
  pattern: string;
  handler: Handler;
}

/** One path segment that names an object (an id, a UPN). */
export const ID = '([^/()]+)';

const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function ok(body: unknown, status = 200, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'content-type': ODATA_JSON, ...headers }, body };
}

export function noContent(): GraphResponse {
  return { status: 204, headers: {}, body: null };
}
