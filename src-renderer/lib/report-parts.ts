/**
 * Save a large report or plan in parts (`report.saveBegin`, `report.savePart` …, `report.saveEnd`). One bridge
 * call of tens of megabytes holds the main thread while the text is serialised and sent (a 25 MB plan: about
 * half a second); parts of at most `REPORT_PART_MAX_CHARS` characters each take a few milliseconds, and the thread
 * is free while main writes them. Main names the file only once every part is fsynced, so a path returned here is
 * a durable report, as with `report.save`. See docs/architecture.md ("Saving large reports").
 */
import { REPORT_PART_MAX_CHARS, type IpcResult, type OpInput } from '@contract';
import type { SoaClient } from './soa-client';

/**
 * The parts to send for `pieces` (the text is their concatenation, in order): every part but the last holds `max`
 * characters, or one less where the cut would fall between the two halves of a surrogate pair (each part must be
 * well-formed text: a lone half would be saved as U+FFFD).
 */
export function* reportParts(pieces: Iterable<string>, max: number = REPORT_PART_MAX_CHARS): Generator<string> {
  let held: string[] = [];
  let heldChars = 0;
  for (let piece of pieces) {
    while (heldChars + piece.length > max) {
      let cut = max - heldChars;
      const before = piece.charCodeAt(cut - 1);
      if (before >= 0xd800 && before <= 0xdbff && (cut > 1 || heldChars > 0)) cut -= 1;
      if (cut > 0) held.push(piece.slice(0, cut));
      piece = piece.slice(cut);
      yield held.join('');
      held = [];
      heldChars = 0;
    }
    if (piece.length > 0) {
      held.push(piece);
      heldChars += piece.length;
    }
  }
  if (heldChars > 0) yield held.join('');
}

/** Save the concatenation of `pieces` as report `name`; the result is `report.save`'s (a failure is a value). */
export async function saveReportInParts(
  client: SoaClient,
  name: string,
  format: OpInput<'report.saveBegin'>['format'],
  pieces: Iterable<string>,
): Promise<IpcResult<{ path: string }>> {
  const begun = await client.call('report.saveBegin', { name, format });
  if (!begun.ok) return begun;
  const { uploadId } = begun.value;
  let part = 0;
  let chars = 0;
  for (const content of reportParts(pieces)) {
    const r = await client.call('report.savePart', { uploadId, part, content });
    if (!r.ok) {
      // main ended the upload already when it refused the part; the abort covers a transport failure
      await client.call('report.saveAbort', { uploadId }).catch(() => undefined);
      return r;
    }
    part += 1;
    chars += content.length;
  }
  const end = await client.call('report.saveEnd', { uploadId, parts: part, chars });
  if (!end.ok) await client.call('report.saveAbort', { uploadId }).catch(() => undefined);
  return end;
}
