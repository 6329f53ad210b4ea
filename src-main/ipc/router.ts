/**
 * The one router every transport dispatches through.
 *
 * It checks the sender, validates input against the contract, runs the handler with a progress
 * emitter and an abort signal, validates the output, and always answers `{ ok, value }` or
 * `{ ok:false, error }`. Nothing a handler throws crosses the boundary as an exception.
 */
import { z } from 'zod';
import {
  contract,
  type IpcResult,
  type OperationName,
  type OpOutput,
  type OpParsedInput,
  type OpProgress,
  type ProgressEvent,
} from './contract';
import { OperationError } from './errors';
import { logger } from '../log';

const log = logger('router');

/** Who is calling: a renderer frame (Electron) or the token-checked browser-mode bridge. */
export type SenderInfo =
  { kind: 'electron'; url: string; frameId?: number } | { kind: 'bridge'; remoteAddress: string };

export interface HandlerContext<N extends OperationName> {
  /** Present for streaming operations (taken from the input). */
  operationId: string | undefined;
  /** Aborted by `app.cancel` or when the transport goes away. */
  signal: AbortSignal;
  emit(progress: OpProgress<N>): void;
  sender: SenderInfo;
}

export type Handler<N extends OperationName> = (
  input: OpParsedInput<N>,
  ctx: HandlerContext<N>,
) => Promise<OpOutput<N>> | OpOutput<N>;

export type HandlerMap = { [N in OperationName]?: Handler<N> };

export interface RouterOptions {
  /** Returns true when the sender may call operations at all. */
  validateSender(sender: SenderInfo): boolean;
}

export type EventSink = (event: ProgressEvent) => void;

function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

function zodDetail(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

export class Router {
  private readonly handlers: HandlerMap = {};
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly options: RouterOptions) {}

  register(handlers: HandlerMap): this {
    for (const key of Object.keys(handlers) as OperationName[]) {
      if (this.handlers[key]) throw new Error(`Handler for ${key} registered twice`);
      (this.handlers as Record<string, unknown>)[key] = handlers[key];
    }
    return this;
  }

  has(name: OperationName): boolean {
    return name === 'app.cancel' || Boolean(this.handlers[name]);
  }

  /** Abort a running streaming operation. */
  cancel(operationId: string): boolean {
    const controller = this.running.get(operationId);
    if (!controller) return false;
    controller.abort(new OperationError('cancelled', 'Cancelled by the user.'));
    return true;
  }

  async dispatch(name: string, rawInput: unknown, sender: SenderInfo, sink: EventSink): Promise<IpcResult<unknown>> {
    if (!this.options.validateSender(sender)) {
      log.warn('rejected call from an unknown sender', { name, sender: sender.kind });
      return fail('forbiddenSender', 'This caller is not allowed to use soa-pilot operations.');
    }
    if (!isOperationName(name)) return fail('validation', `Unknown operation "${String(name).slice(0, 80)}".`);
    const def = contract[name];
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return fail(
        'validation',
        `Invalid input for ${name}: ${parsed.error.issues[0]?.message ?? 'bad input'}.`,
        zodDetail(parsed.error),
      );
    }
    if (name === 'app.cancel') {
      const input = parsed.data as OpParsedInput<'app.cancel'>;
      return { ok: true, value: { cancelled: this.cancel(input.operationId) } };
    }
    const handler = this.handlers[name] as Handler<OperationName> | undefined;
    if (!handler) return fail('unavailable', `${name} is not available in this build.`);

    const input = parsed.data as { operationId?: unknown };
    const operationId = typeof input.operationId === 'string' ? input.operationId : undefined;
    const controller = new AbortController();
    if (operationId) {
      if (this.running.has(operationId)) return fail('conflict', `Operation ${operationId} is already running.`);
      this.running.set(operationId, controller);
    }
    const progressSchema = def.progress as z.ZodType | undefined;
    const ctx: HandlerContext<OperationName> = {
      operationId,
      signal: controller.signal,
      sender,
      emit: (data: unknown) => {
        if (!operationId || !progressSchema) return;
        const checked = progressSchema.safeParse(data);
        if (!checked.success) {
          log.error('handler emitted an invalid progress event', { name, issues: zodDetail(checked.error) });
          return;
        }
        sink({ operationId, operation: name, data: checked.data });
      },
    };
    try {
      const value = await handler(parsed.data as never, ctx as never);
      const out = def.output.safeParse(value);
      if (!out.success) {
        log.error('handler returned an invalid result', { name, issues: zodDetail(out.error) });
        return fail('internal', `${name} produced a result that does not match the contract.`, zodDetail(out.error));
      }
      return { ok: true, value: out.data };
    } catch (e) {
      if (e instanceof OperationError) return fail(e.code, e.message, e.detail);
      if (controller.signal.aborted) return fail('cancelled', 'Cancelled by the user.');
      log.error('handler failed', { name, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      return fail('internal', `${name} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (operationId) this.running.delete(operationId);
    }
  }
}

function fail(code: OperationError['code'], message: string, detail?: unknown): IpcResult<never> {
  return detail === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, detail } };
}
