/**
 * A Graph port that answers each read from a table the test writes (keyed by the URL's path, without the query),
 * and records every URL it was asked and the scopes of every batch. Unlike the in-memory tenant of fake-graph.ts,
 * it can give any answer to any read: a refusal, an unparseable body, a read that never gets an answer.
 */
import type { BatchBody, BatchHttpResponse, GraphBatchPort } from '../../../../../../src-renderer/lib/soa/bulk/ports';

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** `none`: the batch answer leaves this request out (readMany retries it, then gives up with status 0). */
export type Scripted = Answer | 'none' | ((attempt: number) => Answer | 'none');

export class ScriptedGraph implements GraphBatchPort {
  /** every URL asked, in the order asked (retries included) */
  readonly urls: string[] = [];
  /** the scopes of every batch */
  readonly scopes: (readonly string[])[] = [];
  private readonly attempts = new Map<string, number>();

  constructor(readonly table: Record<string, Scripted> = {}) {}

  async sendBatch(body: BatchBody, options: { scopes: readonly string[] }): Promise<BatchHttpResponse> {
    this.scopes.push(options.scopes);
    const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
    for (const r of body.requests) {
      this.urls.push(r.url);
      const path = r.url.split('?')[0] ?? r.url;
      const attempt = (this.attempts.get(path) ?? 0) + 1;
      this.attempts.set(path, attempt);
      const entry = this.table[path];
      const answer = typeof entry === 'function' ? entry(attempt) : (entry ?? notFound);
      if (answer === 'none') continue;
      responses.push({ id: r.id, status: answer.status, headers: answer.headers ?? {}, body: answer.body });
    }
    return { status: 200, headers: {}, body: { responses } };
  }
}

export const notFound: Answer = {
  status: 404,
  body: { error: { code: 'Request_ResourceNotFound', message: 'not found' } },
};
export const denied: Answer = {
  status: 403,
  body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges.' } },
};
export const serverError: Answer = { status: 500, body: { error: { code: 'InternalServerError', message: 'x' } } };
export const ok = (body: unknown): Answer => ({ status: 200, body });
export const page = (...value: Record<string, unknown>[]): Answer => ok({ value });
