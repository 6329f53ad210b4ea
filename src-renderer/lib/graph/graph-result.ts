/**
 * Typed outcomes of Graph calls. Nothing here throws: every call resolves to a `GraphResult`, and
 * every result (success or failure) carries the Graph `request-id` so it can go into the evidence.
 */
export type GraphErrorKind =
  'forbidden' | 'throttled' | 'notFound' | 'network' | 'badRequest' | 'unauthorized' | 'server';

interface ErrorBase {
  /** HTTP status (0 when the request never got an answer). */
  status: number;
  /** Graph error code, e.g. `Authorization_RequestDenied`. */
  code: string;
  message: string;
}

export type GraphError =
  | (ErrorBase & {
      kind: 'forbidden';
      /** Scopes the operation needs that the token did not carry. */
      missingScopes: string[];
      /** Directory role the operation needs when the scopes were all there. */
      missingRole?: string;
      fix: string;
    })
  | (ErrorBase & { kind: 'throttled'; waitSeconds: number; fix: string })
  | (ErrorBase & { kind: 'notFound' })
  | (ErrorBase & { kind: 'network'; fix: string })
  | (ErrorBase & { kind: 'badRequest' })
  | (ErrorBase & { kind: 'unauthorized'; fix: string })
  | (ErrorBase & { kind: 'server' });

export type GraphResult<T> =
  | { ok: true; value: T; status: number; requestId: string | null }
  | { ok: false; error: GraphError; requestId: string | null };

export function ok<T>(value: T, status: number, requestId: string | null): GraphResult<T> {
  return { ok: true, value, status, requestId };
}

export function failure<T = never>(error: GraphError, requestId: string | null): GraphResult<T> {
  return { ok: false, error, requestId };
}

/** What the caller knows about the request, to explain a 403. */
export interface RequirementContext {
  requiredScopes: readonly string[];
  /** Scopes the token actually carried (from its `scp` claim), when known. */
  grantedScopes?: readonly string[];
  /** Directory role the operation requires (display name), e.g. "Hybrid Administrator". */
  requiredRole?: string;
  /** Extra sentence for the role fix, e.g. how AU scoping works. */
  roleHint?: string;
}

function norm(scope: string): string {
  const i = scope.lastIndexOf('/');
  return (i >= 0 ? scope.slice(i + 1) : scope).toLowerCase();
}

/**
 * The one Retry-After parser: seconds or an HTTP date, as milliseconds from `now`; undefined when
 * absent or unreadable (the caller then backs off on its own schedule).
 */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return n >= 0 ? n * 1000 : undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** Retry-After in whole seconds; `fallback` when absent or unreadable. */
export function retryAfterSeconds(value: string | null | undefined, fallback = 5, now: number = Date.now()): number {
  const ms = retryAfterMs(value, now);
  return ms === undefined ? fallback : Math.ceil(ms / 1000);
}

/** Pull `{ error: { code, message } }` out of a Graph error body (any shape tolerated). */
export function errorParts(body: unknown): { code: string; message: string } {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const e = (body as { error: unknown }).error;
    if (typeof e === 'object' && e !== null) {
      const r = e as Record<string, unknown>;
      return {
        code: typeof r.code === 'string' ? r.code : '',
        message: typeof r.message === 'string' ? r.message : '',
      };
    }
  }
  if (typeof body === 'string') return { code: '', message: body.slice(0, 500) };
  return { code: '', message: '' };
}

/** Map an HTTP failure to a typed error. */
export function graphErrorOf(
  status: number,
  headers: { get(name: string): string | null },
  body: unknown,
  req: RequirementContext,
): GraphError {
  const { code, message } = errorParts(body);
  const base = { status, code, message: message || `HTTP ${status}` };
  if (status === 401) {
    return { ...base, kind: 'unauthorized', fix: 'Sign in again: the access token was rejected or has expired.' };
  }
  if (status === 403) {
    const granted = req.grantedScopes ? new Set(req.grantedScopes.map(norm)) : undefined;
    const missingScopes = granted ? req.requiredScopes.filter((s) => !granted.has(norm(s))) : [];
    if (missingScopes.length > 0) {
      return {
        ...base,
        kind: 'forbidden',
        missingScopes,
        fix: `The token lacks ${missingScopes.join(', ')}. Grant admin consent for ${missingScopes.join(', ')} on the app registration (consent link in Settings), then sign in again.`,
      };
    }
    const role = req.requiredRole;
    return {
      ...base,
      kind: 'forbidden',
      missingScopes: [],
      ...(role ? { missingRole: role } : {}),
      fix: role
        ? `The signed-in admin lacks the ${role} role for this object. Ask a Privileged Role Administrator to assign ${role}${req.roleHint ? ` (${req.roleHint})` : ''}, activate it in PIM if it is eligible only, then sign in again.`
        : 'The signed-in admin is not allowed to do this. Check the directory role and the admin consent for the app.',
    };
  }
  if (status === 404) return { ...base, kind: 'notFound' };
  if (status === 429) {
    const waitSeconds = retryAfterSeconds(headers.get('retry-after'));
    return {
      ...base,
      kind: 'throttled',
      waitSeconds,
      fix: `Graph is throttling this app; wait ${waitSeconds} s and retry.`,
    };
  }
  if (status >= 400 && status < 500) return { ...base, kind: 'badRequest' };
  return { ...base, kind: 'server' };
}

export function networkError(e: unknown): GraphError {
  const message = e instanceof Error ? e.message : String(e);
  return {
    kind: 'network',
    status: 0,
    code: 'network',
    message,
    fix: 'Graph could not be reached. Check the network, proxy and TLS inspection settings (a TLS-inspecting proxy needs its CA trusted).',
  };
}
