/**
 * Settings persisted as JSON in the app data folder (atomic writes). Values are validated with the
 * contract's schema on load and on every change; a damaged file falls back to defaults with a warning.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { settingsShape, type Settings } from '../ipc/contract';
import { logger } from '../log';

const log = logger('settings');

export const defaultSettings: Settings = {
  tenant: 'organizations',
  clientId: '00000000-0000-0000-0000-000000000000',
  authorityHost: 'https://login.microsoftonline.com',
  graphEndpoint: 'https://graph.microsoft.com',
  event6956Provider: '',
  auditPollMinutes: 30,
};

export class SettingsStore {
  private current: Settings;
  private readonly listeners = new Set<(next: Settings, previous: Settings) => void>();

  constructor(
    private readonly file: string,
    initial: Partial<Settings> = {},
  ) {
    this.current = settingsShape.parse({ ...defaultSettings, ...this.readFile(), ...initial });
  }

  get(): Settings {
    return { ...this.current };
  }

  async set(patch: Partial<Settings>): Promise<Settings> {
    const previous = this.current;
    const next = settingsShape.parse({ ...previous, ...patch });
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n', { fsync: true });
    this.current = next;
    for (const listener of this.listeners) listener(next, previous);
    return this.get();
  }

  onChange(listener: (next: Settings, previous: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readFile(): Partial<Settings> {
    try {
      const parsed = settingsShape.partial().safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.success) return parsed.data;
      log.warn('settings file is invalid; using defaults', { file: path.basename(this.file) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('settings file unreadable; using defaults');
    }
    return {};
  }
}
