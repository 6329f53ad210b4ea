/**
 * Settings persisted as JSON in the app data folder (atomic writes). Values are validated with the
 * contract's schema on load and on every change; a damaged file falls back to defaults with a warning.
 * The authority and Graph endpoint must be a national cloud's pair, or the pair this run was
 * configured with (the lab), unless the admin turned on "custom cloud" (cloud-endpoints.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { settingsShape, type CloudPair, type Settings } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import { logger } from '../log';
import { cloudEndpointProblem } from './cloud-endpoints';

const log = logger('settings');

export const defaultSettings: Settings = {
  tenant: 'organizations',
  clientId: '00000000-0000-0000-0000-000000000000',
  authorityHost: 'https://login.microsoftonline.com',
  graphEndpoint: 'https://graph.microsoft.com',
  customCloud: false,
  event6956Provider: '',
  auditPollMinutes: 30,
};

export type SettingsListener = (next: Settings, previous: Settings) => void | Promise<void>;

export class SettingsStore {
  private current: Settings;
  private readonly listeners = new Set<SettingsListener>();
  /** The endpoints this run was configured with (the lab's), accepted like a national cloud. */
  private readonly configured: Pick<CloudPair, 'authorityHost' | 'graphEndpoint'> | undefined;

  constructor(
    private readonly file: string,
    initial: Partial<Settings> = {},
  ) {
    this.configured =
      initial.authorityHost && initial.graphEndpoint
        ? { authorityHost: initial.authorityHost, graphEndpoint: initial.graphEndpoint }
        : undefined;
    const stored = this.readFile();
    let current = settingsShape.parse({ ...defaultSettings, ...stored, ...initial });
    const problem = cloudEndpointProblem(current, this.configured);
    if (problem) {
      // A stored pair that is no longer accepted (edited by hand, or from a lab run): defaults instead.
      log.warn('stored authority or Graph endpoint is not an accepted cloud; using the defaults for both', {
        file: path.basename(this.file),
      });
      const { authorityHost: _a, graphEndpoint: _g, customCloud: _c, ...rest } = stored;
      current = settingsShape.parse({ ...defaultSettings, ...rest, ...initial });
    }
    this.current = current;
  }

  get(): Settings {
    return { ...this.current };
  }

  async set(patch: Partial<Settings>): Promise<Settings> {
    const previous = this.current;
    const next = settingsShape.parse({ ...previous, ...patch });
    const problem = cloudEndpointProblem(next, this.configured);
    if (problem) throw new OperationError('validation', problem);
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n', { fsync: true });
    this.current = next;
    // Listeners finish before `set` returns (a sign-out is complete when the caller reads auth.status).
    for (const listener of this.listeners) {
      try {
        await listener(next, previous);
      } catch (e) {
        log.warn('a settings listener failed', { reason: e instanceof Error ? e.message : String(e) });
      }
    }
    return this.get();
  }

  onChange(listener: SettingsListener): () => void {
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
