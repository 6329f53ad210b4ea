/**
 * The framed JSON envelope every PowerShell call ends with (written by Initialize-SoaSession.ps1):
 *   <<SOA:<nonce>>>{"ok":true,"data":...}
 *   <<SOA:<nonce>>>{"ok":false,"error":{"code","message","fqid","category","type"}}
 * The nonce is fresh per call, so nothing a script or a value prints can forge the frame.
 */
import { z } from 'zod';
import { errorCode, type ErrorCode } from '../ipc/contract';

export const envelopeError = z.object({
  code: z.string(),
  message: z.string(),
  fqid: z.string(),
  category: z.string(),
  type: z.string().optional(),
});
export type EnvelopeError = z.infer<typeof envelopeError>;

export const envelope = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: envelopeError }),
]);
export type Envelope = z.infer<typeof envelope>;

export type FrameResult =
  | { kind: 'envelope'; envelope: Envelope; noise: string[] }
  | { kind: 'missing'; noise: string[] }
  | { kind: 'malformed'; reason: string; noise: string[] };

/** Finds this call's frame in stdout. Lines without the frame are returned as `noise` (for the log). */
export function parseFrame(stdout: string, nonce: string): FrameResult {
  const marker = `<<SOA:${nonce}>>`;
  const noise: string[] = [];
  let frame: string | undefined;
  for (const rawLine of stdout.split(/\r?\n/)) {
    const line = rawLine.replace(/^\uFEFF/, '');
    const at = line.indexOf(marker);
    if (at === -1) {
      if (line.trim() !== '') noise.push(line);
      continue;
    }
    if (at > 0) noise.push(line.slice(0, at));
    frame = line.slice(at + marker.length);
  }
  if (frame === undefined) return { kind: 'missing', noise };
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch (e) {
    return { kind: 'malformed', reason: `not JSON (${e instanceof Error ? e.message : String(e)})`, noise };
  }
  const checked = envelope.safeParse(json);
  if (!checked.success) {
    return { kind: 'malformed', reason: `not an envelope (${checked.error.issues[0]?.message ?? 'shape'})`, noise };
  }
  return { kind: 'envelope', envelope: checked.data, noise };
}

/** Maps a script's error code onto the IPC error codes (unknown codes become `powershell`). */
export function toErrorCode(code: string): ErrorCode {
  const parsed = errorCode.safeParse(code);
  return parsed.success ? parsed.data : 'powershell';
}

/** Base64 of the UTF-8 JSON of the arguments; the only way a value reaches PowerShell. */
export function encodeArguments(args: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(args), 'utf8').toString('base64');
}
