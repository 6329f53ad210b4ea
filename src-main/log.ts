/**
 * Minimal structured logger for the main process. Everything goes through `redact`, which removes
 * JWT-looking strings, bearer headers and refresh/access token fields, so a token can never reach a log.
 */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(bearer\s+)[^\s"',]+/gi;
const SECRET_FIELD =
  /("?(?:access_?token|refresh_?token|id_?token|client_?secret|code_?verifier|authorization|secret|password|controlToken|token)"?\s*[:=]\s*"?)([^"',\s}]+)/gi;

export function redact(text: string): string {
  return text.replace(JWT, '[redacted-jwt]').replace(BEARER, '$1[redacted]').replace(SECRET_FIELD, '$1[redacted]');
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stderr.write(line + '\n');
let minLevel: LogLevel = process.env.SOA_LOG_LEVEL === 'debug' ? 'debug' : 'info';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Tests point the sink at a buffer to prove nothing secret is logged. */
export function setLogSink(next: LogSink, level: LogLevel = minLevel): void {
  sink = next;
  minLevel = level;
}

function serialise(data: unknown): string {
  if (data === undefined) return '';
  if (data instanceof Error) return ` ${data.name}: ${data.message}`;
  try {
    return ' ' + JSON.stringify(data);
  } catch {
    return ' [unserialisable]';
  }
}

export function log(level: LogLevel, scope: string, message: string, data?: unknown): void {
  if (order[level] < order[minLevel]) return;
  sink(redact(`${new Date().toISOString()} ${level.toUpperCase()} [${scope}] ${message}${serialise(data)}`));
}

export const logger = (scope: string) => ({
  debug: (m: string, d?: unknown) => log('debug', scope, m, d),
  info: (m: string, d?: unknown) => log('info', scope, m, d),
  warn: (m: string, d?: unknown) => log('warn', scope, m, d),
  error: (m: string, d?: unknown) => log('error', scope, m, d),
});
