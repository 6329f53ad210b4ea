/**
 * Shapes every area of the IPC contract uses (src-main/ipc/contract.ts): operation ids, times, the preflight
 * line, the empty input and the typed error every operation may answer with.
 */
import { z } from 'zod';

export const operationId = z.string().uuid();
export const isoDate = z.string().datetime({ offset: true });
export const checkStatus = z.enum(['pass', 'warn', 'fail', 'notChecked']);

/** One preflight line: what was checked, the verdict, what was seen and how to fix it. */
export const checkResult = z.object({
  id: z.string(),
  title: z.string(),
  status: checkStatus,
  observed: z.string().optional(),
  expected: z.string().optional(),
  message: z.string(),
  fix: z.string().optional(),
});
export type CheckResult = z.infer<typeof checkResult>;

export const empty = z.strictObject({});

/** Error codes a handler may return; `validation`, `forbiddenSender` and `internal` come from the router. */
export const errorCode = z.enum([
  'validation',
  'forbiddenSender',
  'internal',
  'cancelled',
  'timeout',
  'busy',
  'notSignedIn',
  'interactionRequired',
  'notFound',
  'conflict',
  'unavailable',
  'powershell',
  'stagingMode',
  'refused',
]);
export type ErrorCode = z.infer<typeof errorCode>;

export const ipcError = z.object({
  code: errorCode,
  message: z.string(),
  detail: z.unknown().optional(),
});
export type IpcError = z.infer<typeof ipcError>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** A streaming operation's input: its `operationId` (chosen by the caller) and its own fields, strict. */
export const withOperationId = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ operationId, ...shape });
