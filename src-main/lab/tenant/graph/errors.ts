/**
 * The Graph error shape, the error texts tests and the app match on, and the responses an
 * injected fault produces.
 */
import { GraphError } from '../odata';
import type { GraphResponse } from './context';

export const MSG_DENIED = 'Insufficient privileges to complete the operation.';
export const MSG_SYNCED_UPDATE =
  'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.';
/** Exchange-mastered objects (docs/reference/graph-and-identity.md#write-errors); one plausible text for a mail-enabled synced contact. */
export const MSG_EXTERNAL_SERVICE_UPDATE =
  'Unable to update the specified properties for objects that have originated within an external service.';
/** A refusal text no public source shows (the lab's "unrecognised message" variant). */
export const MSG_UNRECOGNISED_UPDATE = 'This contact is synchronized from on-premises and cannot be modified here.';
/** [U] the real text for transferring a cloud-native object is not documented. */
export const MSG_NOT_SYNCED =
  'The source of authority of this object cannot be changed: the object is not synchronized from an on-premises directory.';
export const MSG_COUNT_UNSUPPORTED = '$count is not currently supported.';
export const MSG_SEARCH_NEEDS_HEADER =
  "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'";

export function denied(): GraphError {
  return new GraphError(403, 'Authorization_RequestDenied', MSG_DENIED);
}

export function notFound(id: string): GraphError {
  return new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function graphErrorBody(
  code: string,
  message: string,
  requestId: string,
  clientRequestId: string | null,
  now: number,
): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date(now).toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}

export function faultResponse(
  status: 429 | 500 | 503 | 504,
  retryAfterSeconds: number | undefined,
  requestId: string,
  clientRequestId: string | null,
  now: number,
  throttle: { omitRetryAfter?: boolean; limitPercentage?: number } = {},
): GraphResponse {
  if (status === 429) {
    // An injected throttle looks exactly like a real bucket running dry.
    const wait = retryAfterSeconds ?? 5;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'request-id': requestId,
      'client-request-id': clientRequestId ?? requestId,
      'x-ms-throttle-limit-percentage': (throttle.limitPercentage ?? 1.0).toFixed(1),
      'x-ms-throttle-scope': 'Tenant_Application/ReadWrite',
      'x-ms-throttle-information': 'InjectedFault',
    };
    if (!throttle.omitRetryAfter) headers['retry-after'] = String(wait);
    return {
      status,
      headers,
      body: graphErrorBody(
        'Request_ThrottledTemporarily',
        throttle.omitRetryAfter
          ? 'Your request is throttled temporarily. Please try again later.'
          : `Your request is throttled temporarily. Please try after ${wait} seconds.`,
        requestId,
        clientRequestId,
        now,
      ),
    };
  }
  const code = status === 500 ? 'InternalServerError' : status === 503 ? 'ServiceUnavailable' : 'GatewayTimeout';
  const message =
    status === 500
      ? 'Internal server error.'
      : status === 503
        ? 'The service is temporarily unavailable. Please retry later.'
        : 'The gateway did not receive a timely response.';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'request-id': requestId,
    'client-request-id': clientRequestId ?? requestId,
  };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return { status, headers, body: graphErrorBody(code, message, requestId, clientRequestId, now) };
}
