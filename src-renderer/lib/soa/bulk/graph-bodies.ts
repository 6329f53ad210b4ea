/** zod schemas for the Graph bodies the bulk flows read. Unknown properties pass through untouched. */
import { z } from 'zod';
import { retryAfterMs } from '../../graph/graph-result';

export const batchInnerResponse = z.object({
  id: z.string(),
  status: z.number().int(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
});
export type BatchInnerResponse = z.infer<typeof batchInnerResponse>;

export const batchResponseBody = z.object({ responses: z.array(batchInnerResponse) });

export const graphErrorBody = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).passthrough(),
});

const syncBehaviorShape = z.object({ isCloudManaged: z.boolean() });
/** The GET sample wraps the object in `value` (probably a doc error); accept both shapes. */
const wrappedSyncBehavior = z.object({ value: syncBehaviorShape });

export function parseIsCloudManaged(body: unknown): boolean | undefined {
  const top = syncBehaviorShape.safeParse(body);
  if (top.success) return top.data.isCloudManaged;
  const wrapped = wrappedSyncBehavior.safeParse(body);
  return wrapped.success ? wrapped.data.value.isCloudManaged : undefined;
}

export const directoryObject = z
  .object({
    id: z.string(),
    '@odata.type': z.string().optional(),
    displayName: z.string().nullable().optional(),
    mail: z.string().nullable().optional(),
    userPrincipalName: z.string().nullable().optional(),
    companyName: z.string().nullable().optional(),
    department: z.string().nullable().optional(),
    onPremisesSyncEnabled: z.boolean().nullable().optional(),
    onPremisesLastSyncDateTime: z.string().nullable().optional(),
    onPremisesImmutableId: z.string().nullable().optional(),
    isCloudManaged: z.boolean().nullable().optional(),
  })
  .passthrough();
export type DirectoryObject = z.infer<typeof directoryObject>;

export const collectionPage = z.object({
  value: z.array(directoryObject),
  '@odata.nextLink': z.string().optional(),
  '@odata.count': z.number().optional(),
});

export function errorMessage(body: unknown): string | undefined {
  const r = graphErrorBody.safeParse(body);
  if (!r.success) return undefined;
  const { code, message } = r.data.error;
  return [code, message].filter(Boolean).join(': ') || undefined;
}

/** Header lookup that ignores case (batch inner headers and fetch headers differ in case). */
export function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Retry-After of a header record in ms (the parser of lib/graph/graph-result.ts); undefined when absent. */
export function retryAfterHeaderMs(headers: Record<string, string> | undefined, now: number): number | undefined {
  return retryAfterMs(header(headers, 'retry-after'), now);
}

/**
 * `x-ms-throttle-limit-percentage` as Graph sends it: a fraction from 0.8 to 1.8 (1.0 = throttling starts, 1.2 = 20 %
 * over the limit), never a 0–100 figure (docs/reference/graph-and-identity.md#throttling). Anything else — a value
 * outside 0–2 or no number at all — is not read as a percentage (undefined), rather than guessed at.
 */
export function throttlePercentage(headers: Record<string, string> | undefined): number | undefined {
  const v = header(headers, 'x-ms-throttle-limit-percentage');
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 2) return undefined;
  return n;
}
