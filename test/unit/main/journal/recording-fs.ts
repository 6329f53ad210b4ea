/**
 * A journal fs port over the real file system that records every call, can hold `sync` / `syncDir`
 * until the test releases them, and can fail the next write. It lets a test see that the fsync of a
 * record happened before `append()` resolved.
 */
import path from 'node:path';
import { nodeJournalFs, type JournalFs } from '../../../../src-main/journal/journal-fs';

export interface Gate {
  /** Resolves when the held call has been made. */
  reached: Promise<void>;
  release(): void;
}

export class RecordingFs implements JournalFs {
  readonly events: string[] = [];
  /** Bytes read per file name (segments, index, quarantine). */
  readonly bytesRead = new Map<string, number>();
  failNextWrite: Error | undefined;
  private holdNext: { kind: 'sync' | 'syncDir'; gate: Gate; resolveReached: () => void; released: Promise<void> }[] =
    [];

  constructor(private readonly base: JournalFs = nodeJournalFs) {}

  /** Hold the next `sync` (of a file) or `syncDir` call until `release()`. */
  hold(kind: 'sync' | 'syncDir'): Gate {
    let resolveReached!: () => void;
    const reached = new Promise<void>((r) => (resolveReached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const gate = { reached, release };
    this.holdNext.push({ kind, gate, resolveReached, released });
    return gate;
  }

  totalBytesRead(): number {
    let n = 0;
    for (const v of this.bytesRead.values()) n += v;
    return n;
  }

  private async gate(kind: 'sync' | 'syncDir'): Promise<void> {
    const i = this.holdNext.findIndex((h) => h.kind === kind);
    if (i === -1) return;
    const [h] = this.holdNext.splice(i, 1);
    if (!h) return;
    h.resolveReached();
    await h.released;
  }

  private countRead(file: string, n: number): void {
    const name = path.basename(file);
    this.bytesRead.set(name, (this.bytesRead.get(name) ?? 0) + n);
  }

  mkdir(dir: string): Promise<boolean> {
    this.events.push(`mkdir ${path.basename(dir)}`);
    return this.base.mkdir(dir);
  }
  list(dir: string): Promise<string[]> {
    return this.base.list(dir);
  }
  size(file: string): Promise<number | null> {
    return this.base.size(file);
  }
  async openAppend(file: string) {
    const name = path.basename(file);
    this.events.push(`open ${name}`);
    const f = await this.base.openAppend(file);
    return {
      write: async (data: Uint8Array) => {
        const fail = this.failNextWrite;
        if (fail) {
          this.failNextWrite = undefined;
          // half of the bytes reach the file, then the write fails (a torn write)
          await f.write(data.subarray(0, Math.floor(data.length / 2)));
          this.events.push(`write-failed ${name}`);
          throw fail;
        }
        this.events.push(`write ${name}`);
        await f.write(data);
      },
      sync: async () => {
        this.events.push(`sync-start ${name}`);
        await this.gate('sync');
        await f.sync();
        this.events.push(`sync ${name}`);
      },
      close: () => f.close(),
    };
  }
  async syncDir(dir: string): Promise<void> {
    this.events.push(`syncDir-start ${path.basename(dir)}`);
    await this.gate('syncDir');
    await this.base.syncDir(dir);
    this.events.push(`syncDir ${path.basename(dir)}`);
  }
  async *readChunks(file: string, start: number, end: number): AsyncIterable<Uint8Array> {
    for await (const c of this.base.readChunks(file, start, end)) {
      this.countRead(file, c.byteLength);
      yield c;
    }
  }
  async readText(file: string): Promise<string | null> {
    const t = await this.base.readText(file);
    if (t !== null) this.countRead(file, Buffer.byteLength(t));
    return t;
  }
  replaceFile(file: string, text: string): Promise<void> {
    this.events.push(`replace ${path.basename(file)}`);
    return this.base.replaceFile(file, text);
  }
  rename(from: string, to: string): Promise<void> {
    this.events.push(`rename ${path.basename(from)} ${path.basename(to)}`);
    return this.base.rename(from, to);
  }
}

/** Whether a promise has settled, after letting pending I/O callbacks run. */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
}
