import type { ErrorCode } from './contract';

/** Thrown by handlers to return a typed `{ ok:false, error }`; the router never lets anything else escape. */
export class OperationError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}
