/**
 * The signed-in session the views share: app info, settings, the account, the Graph session over
 * main's token operation, the flow ports and the timing (tuning) the flows use.
 */
import type { Account, AppInfo, SavedWizardRun, Settings } from '@contract';
import type { SoaClient } from '../lib/bridge';
import { createGraphSession, TokenSourceError, type GraphSession } from '../lib/graph/graph-client';
import { allScopes } from '../lib/graph/scopes';
import {
  DEFAULT_TUNING,
  realClock,
  recordingFetch,
  type AttemptLog,
  type FlowPorts,
  type FlowTuning,
} from '../lib/soa/ports';
import { runStreaming } from '../lib/soa/streaming';
import { cloudSyncWindows, type CloudSyncContext } from '../lib/soa/cloud-sync-proof';

/**
 * What the wizard asks for at sign-in (incremental tokens are then requested per step). The
 * contact-update scope is not among them: it is requested only when the admin chooses a write proof.
 */
export const SIGN_IN_SCOPES = allScopes(['contacts', 'audit', 'membership', 'roles']);

const TUNING_KEY = 'soa-pilot.tuning';

export function loadTuningOverrides(): Partial<FlowTuning> {
  try {
    const raw = localStorage.getItem(TUNING_KEY);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Partial<FlowTuning> = {};
    for (const k of Object.keys(DEFAULT_TUNING) as (keyof FlowTuning)[]) {
      const v = (parsed as Record<string, unknown>)[k];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[k] = v;
    }
    return out;
  } catch {
    return {};
  }
}

export function saveTuningOverrides(t: Partial<FlowTuning>): void {
  localStorage.setItem(TUNING_KEY, JSON.stringify(t));
}

function detailScopes(detail: unknown): string[] {
  if (typeof detail === 'object' && detail !== null && 'missingScopes' in detail) {
    const m = (detail as { missingScopes: unknown }).missingScopes;
    if (Array.isArray(m)) return m.filter((x): x is string => typeof x === 'string');
  }
  return [];
}

/**
 * What the session needs of a wizard run it keeps across view switches (the run itself, wizard-run.svelte.ts,
 * depends on the session, so the session names only this part of it).
 */
export interface KeptRun {
  /** the object the run works on, once one is picked */
  readonly target: unknown;
  stopAudit(): void;
  close(status: 'abandoned'): Promise<void>;
}

export class Session {
  info = $state<AppInfo | undefined>();
  settings = $state<Settings | undefined>();
  account = $state<Account | undefined>();
  checkedAuth = $state(false);
  connectionError = $state<string | undefined>();
  signInUrl = $state<string | undefined>();
  deviceCode = $state<{ userCode: string; verificationUri: string; message: string } | undefined>();
  signingIn = $state(false);
  signInError = $state<{ message: string; code: string } | undefined>();
  consentUrl = $state<string | undefined>();
  overrides = $state<Partial<FlowTuning>>({});
  pendingCount = $state(0);
  /** Saved wizard runs still open (offered for resume after a reload or restart). */
  openRuns = $state<SavedWizardRun[]>([]);
  /** A run the pick step asked to resume (its wizard picks it up). */
  resumeRequest = $state<SavedWizardRun | undefined>();

  graph: GraphSession | undefined;
  /** The wizards' runs survive switching views (the audit search keeps going; come back to it). */
  runs: { transfer?: KeptRun; rollback?: KeptRun } = {};
  attempts: AttemptLog | undefined;
  private signInOp: string | undefined;

  constructor(readonly client: SoaClient) {}

  get tuning(): FlowTuning {
    const bound = (this.settings?.auditPollMinutes ?? 30) * 60_000;
    return { ...DEFAULT_TUNING, auditPollBoundMs: bound, ...this.overrides };
  }

  async init(): Promise<void> {
    this.overrides = loadTuningOverrides();
    const info = await this.client.call('app.info', {});
    if (!info.ok) {
      this.connectionError = info.error.message;
      return;
    }
    this.info = info.value;
    const s = await this.client.call('settings.get', {});
    if (s.ok) this.settings = s.value;
    const rec = recordingFetch((input, init) => fetch(input, init));
    this.attempts = rec.log;
    this.graph = createGraphSession({
      baseUrl: info.value.graphBaseUrl,
      customHosts: info.value.graphCustomHosts,
      fetch: rec.fetch,
      retryDelaySeconds: 1,
      tokenSource: async (scopes) => {
        const r = await this.client.call('auth.getAccessToken', { scopes });
        if (!r.ok) throw new TokenSourceError(r.error.code, r.error.message, detailScopes(r.error.detail));
        return r.value.accessToken;
      },
    });
    await this.refreshOpenRuns();
    await this.refreshAuth();
    await this.refreshPending();
  }

  async refreshOpenRuns(): Promise<void> {
    const r = await this.client.call('run.list', {});
    this.openRuns = r.ok ? r.value.runs : [];
  }

  async refreshAuth(): Promise<void> {
    const st = await this.client.call('auth.status', {});
    this.account = st.ok && st.value.signedIn ? st.value.account : undefined;
    this.checkedAuth = true;
  }

  async refreshPending(): Promise<void> {
    const p = await this.client.call('journal.pending', {});
    this.pendingCount = p.ok ? p.value.pending.length : 0;
  }

  /**
   * The request windows of provisionOnDemand and the reporting API (5 per 10 s each, per app and tenant): one pair
   * for the session, so two runs never exceed the limits together.
   */
  cloudSyncWindows(): CloudSyncContext['windows'] {
    this.cloudSyncWindowPair ??= cloudSyncWindows({ clock: realClock });
    return this.cloudSyncWindowPair;
  }
  private cloudSyncWindowPair: CloudSyncContext['windows'] | undefined;

  ports(): FlowPorts {
    if (!this.graph) throw new Error('Not connected.');
    return {
      ipc: this.client,
      graph: this.graph,
      clock: realClock,
      tuning: this.tuning,
      newId: () => crypto.randomUUID(),
      ...(this.attempts ? { attempts: this.attempts } : {}),
    };
  }

  async loadConsentUrl(): Promise<void> {
    const r = await this.client.call('settings.consentUrl', { scopes: SIGN_IN_SCOPES });
    if (r.ok) this.consentUrl = r.value.url;
  }

  async signIn(mode: 'interactive' | 'deviceCode', loginHint?: string): Promise<void> {
    this.signingIn = true;
    this.signInError = undefined;
    this.signInUrl = undefined;
    this.deviceCode = undefined;
    const operationId = crypto.randomUUID();
    this.signInOp = operationId;
    try {
      const r =
        mode === 'interactive'
          ? await runStreaming(
              this.client,
              'auth.signInInteractive',
              { scopes: SIGN_IN_SCOPES, ...(loginHint ? { loginHint } : {}) },
              { operationId, onProgress: (p) => (this.signInUrl = p.signInUrl) },
            )
          : await runStreaming(
              this.client,
              'auth.signInDeviceCode',
              { scopes: SIGN_IN_SCOPES },
              {
                operationId,
                onProgress: (p) =>
                  (this.deviceCode = { userCode: p.userCode, verificationUri: p.verificationUri, message: p.message }),
              },
            );
      if (r.ok) {
        this.resetRuns();
        this.account = r.value;
      } else if (r.error.code !== 'cancelled') {
        this.signInError = { message: r.error.message, code: r.error.code };
        if (/consent/i.test(r.error.message)) await this.loadConsentUrl();
      }
    } finally {
      this.signingIn = false;
      this.signInUrl = undefined;
      this.deviceCode = undefined;
      this.signInOp = undefined;
    }
  }

  /** A different admin means different checks: drop the wizards' runs (and stop their audit searches). */
  resetRuns(): void {
    for (const run of [this.runs.transfer, this.runs.rollback]) {
      run?.stopAudit();
      // A run that holds only this admin's preflight is of no use to the next one: not offered again.
      if (run && !run.target) void run.close('abandoned');
    }
    this.runs = {};
  }

  cancelSignIn(): void {
    if (this.signInOp) void this.client.call('app.cancel', { operationId: this.signInOp });
  }

  async signOut(): Promise<void> {
    await this.client.call('auth.signOut', {});
    this.resetRuns();
    this.account = undefined;
  }
}
