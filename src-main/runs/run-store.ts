/**
 * Resumable single-object wizard runs: one JSON file per run under `<dataDir>/runs/<tenant>/`,
 * written atomically (temp file, fsync, rename) after every step. A reload, a restart or a killed
 * process leaves the last complete snapshot on disk, never a torn one; the journal holds the writes
 * themselves (intent before, result after), the run file holds where the admin was and the evidence.
 */
import { mkdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { savedWizardRun, wizardRunSnapshot, type SavedWizardRun, type WizardRunSnapshot } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import { tenantFileName } from '../journal/journal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function runsDir(dataDir: string, tenant: string): string {
  return path.join(dataDir, 'runs', tenantFileName(tenant).replace(/\.jsonl$/, ''));
}

export class RunStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    readonly tenant: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dir = runsDir(dataDir, tenant);
  }

  private file(runId: string): string {
    if (!UUID.test(runId)) throw new OperationError('validation', 'A run id is a UUID.');
    return path.join(this.dir, `${runId.toLowerCase()}.json`);
  }

  /** Save the run as open; resolves once the file is durable. A closed run is not reopened. */
  async save(run: WizardRunSnapshot): Promise<{ savedAt: string }> {
    const parsed = wizardRunSnapshot.safeParse(run);
    if (!parsed.success) {
      throw new OperationError('validation', `Invalid run: ${parsed.error.issues[0]?.message ?? 'bad run'}`);
    }
    const existing = await this.get(parsed.data.runId);
    if (existing && existing.status !== 'open') {
      throw new OperationError('conflict', `This run was already ${existing.status}; start a new one.`);
    }
    const savedAt = this.now().toISOString();
    const stored: SavedWizardRun = { ...parsed.data, savedAt, status: 'open' };
    await this.write(stored);
    return { savedAt };
  }

  async get(runId: string): Promise<SavedWizardRun | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(runId), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return parseRun(text);
  }

  /** Open runs, newest first. Unreadable files are skipped (never offered for resume). */
  async listOpen(): Promise<SavedWizardRun[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const runs: SavedWizardRun[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || !UUID.test(name.slice(0, -5))) continue;
      const run = parseRun(await readFile(path.join(this.dir, name), 'utf8').catch(() => ''));
      if (run?.status === 'open') runs.push(run);
    }
    return runs.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  /** Mark a run finished or abandoned; false when there is no such run. */
  async close(runId: string, status: 'finished' | 'abandoned'): Promise<boolean> {
    const run = await this.get(runId);
    if (!run) return false;
    await this.write({ ...run, status, savedAt: this.now().toISOString() });
    return true;
  }

  private async write(run: SavedWizardRun): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    await writeFileAtomic(this.file(run.runId), JSON.stringify(run), { encoding: 'utf8', fsync: true, mode: 0o600 });
  }
}

function parseRun(text: string): SavedWizardRun | undefined {
  if (!text) return undefined;
  try {
    const r = savedWizardRun.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
