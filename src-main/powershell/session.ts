/**
 * The one persistent PowerShell session of the main process (node-powershell v5 underneath).
 *
 * - Created lazily on the first call; `-NoProfile -NonInteractive`; UTF-8; quiet streams.
 * - Every call is one line: `Invoke-SoaCommand -Name '<Verb-SoaNoun>' -ArgumentsBase64 '<b64>' -Nonce '<id>'`.
 *   Name, Base64 and nonce are checked against strict patterns, so no value ever reaches script text.
 * - No script file is ever run (so a machine policy of AllSigned cannot stop a call): Initialize-SoaSession and
 *   each script are sent as text, once per shell, after their SHA-256 matched the build's (`script-integrity.ts`).
 * - Calls are serialised here (one at a time); the per-call timeout starts when the call starts running.
 * - A timeout or a cancel really stops the work: the shell is killed and the next call starts a new one.
 *   A crashed shell is replaced the same way. node-powershell's `history` is cleared after every call.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { PowerShell } from 'node-powershell';
import type { z } from 'zod';
import { OperationError } from '../ipc/errors';
import type { ErrorCode } from '../ipc/contract';
import { appRoot, powershellDir } from '../paths';
import { ScriptIntegrityError, scriptLoaderFor, type ScriptHashes, type ScriptLoader } from './script-integrity';
import { logger } from '../log';
import { encodeArguments, parseFrame, toErrorCode, type Envelope } from './envelope';

const log = logger('powershell');

/** Every production script the bridge may call (resources/powershell/<name>.ps1). */
export const scriptNames = [
  'Test-SoaEcho',
  'Get-SoaEnvironment',
  'Get-SoaScheduler',
  'Get-SoaAdConnectorPartitions',
  'Start-SoaSyncCycle',
  'Get-SoaSyncCycleState',
  'Get-SoaRunProfileResult',
  'Get-SoaObjectTrace',
  'Find-SoaOnPremContact',
  'Get-SoaEvent6956',
  'Set-SoaOnPremDescription',
] as const;
export type ScriptName = (typeof scriptNames)[number];

const SCRIPT_NAME = /^[A-Z][a-z]+-Soa[A-Za-z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const NONCE = /^[A-Za-z0-9]{16,64}$/;

/** Which PowerShell to start and what it loads: the part of the options a configuration chooses. */
export interface PowerShellTarget {
  /** Executable: a path or a name on PATH. Default: powershell.exe on Windows, else .tools/pwsh, else pwsh. */
  exe?: string;
  /** Extra module folders; every *.psd1 directly inside is imported at start (the lab's stand-ins). */
  modulePaths?: string[];
  /** Extra environment for the shell (e.g. the lab control URL and token). Never logged. */
  env?: Record<string, string>;
}

export interface PowerShellSessionOptions extends PowerShellTarget {
  /** Folder holding Initialize-SoaSession.ps1 and the scripts. Default: resources/powershell. */
  scriptDir?: string;
  /** Per-call timeout when the caller gives none (ms). */
  defaultTimeoutMs?: number;
  /** Timeout for starting a shell (ms). */
  startTimeoutMs?: number;
  /** SHA-256 of each script file (tests). Default: the build's, else the files as found at the first start. */
  scriptHashes?: ScriptHashes;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SessionInfo {
  psEdition: string;
  psVersion: string;
  processId: number;
  modules: string[];
}

/** A failed PowerShell call: the IPC code plus the PowerShell error identity when there is one. */
export class PowerShellError extends OperationError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly fqid: string | null = null,
    readonly category: string | null = null,
    readonly exceptionType: string | null = null,
  ) {
    super(code, message, { fqid, category, exceptionType });
    this.name = 'PowerShellError';
  }
}

interface LiveShell {
  ps: PowerShell;
  process: ChildProcess | undefined;
  exited: boolean;
  info: SessionInfo | undefined;
  /** Scripts whose text this shell already holds (sent once per shell). */
  loaded: Set<string>;
}

/**
 * The PowerShell the app starts when the configuration names none, in Electron and in browser mode alike:
 * on Windows always `powershell.exe` (Windows PowerShell 5.1, the host of the ADSync module; never a pwsh 7 the
 * developer tools put next to the app), elsewhere the provisioned `.tools/pwsh`, else `pwsh` on PATH.
 */
export function defaultPowerShellExe(
  platform: NodeJS.Platform = process.platform,
  exists: (file: string) => boolean = existsSync,
): string {
  if (platform === 'win32') return 'powershell.exe';
  const local = path.join(appRoot, '.tools', 'pwsh');
  return exists(local) ? local : 'pwsh';
}

function newNonce(): string {
  return randomBytes(12).toString('hex');
}

export class PowerShellSession {
  private shell: LiveShell | undefined;
  private starting: Promise<LiveShell> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly exe: string;
  private readonly scriptDir: string;
  private readonly defaultTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly scripts: ScriptLoader;
  /** How many shells were started (tests and the bench read it). */
  startCount = 0;
  /** How many script calls were sent to a shell (tests and the bench read it). */
  callCount = 0;

  constructor(private readonly options: PowerShellSessionOptions = {}) {
    this.exe = options.exe ?? defaultPowerShellExe();
    this.scriptDir = options.scriptDir ?? powershellDir();
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 120_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.scripts = scriptLoaderFor(this.scriptDir, options.scriptHashes);
  }

  /**
   * The pid of the running PowerShell, if one runs. With a dotnet-tool shim (.tools/pwsh) this is
   * the real PowerShell process ($PID), not the shim that node-powershell spawned.
   */
  get pid(): number | undefined {
    if (!this.shell || this.shell.exited) return undefined;
    return this.shell.info?.processId || this.shell.process?.pid;
  }

  /** Entries in node-powershell's history (kept at 0: cleared after every call). */
  get historySize(): number {
    return this.shell ? this.shell.ps.history.length : 0;
  }

  /** Starts the shell if needed and reports its edition and version. */
  async info(): Promise<SessionInfo> {
    return this.serialise(async () => {
      const shell = await this.ensureShell();
      if (!shell.info) throw new PowerShellError('powershell', 'The PowerShell session did not report its version.');
      return shell.info;
    });
  }

  /**
   * Runs resources/powershell/<script>.ps1 with the given arguments and parses `data` with `schema`.
   * Throws PowerShellError: `timeout`, `cancelled`, `unavailable`, `powershell`, or the script's own code.
   */
  async run<T>(
    script: ScriptName,
    args: Record<string, unknown>,
    schema: z.ZodType<T>,
    options: CallOptions = {},
  ): Promise<T> {
    const data = await this.serialise(() => this.call(script, args, options));
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PowerShellError(
        'powershell',
        `${script} returned data of an unexpected shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`,
      );
    }
    return parsed.data;
  }

  /** Kills the shell (if any). The session stays usable: the next call starts a new shell. */
  async restart(): Promise<void> {
    const shell = this.shell;
    this.shell = undefined;
    if (shell) await this.kill(shell);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.restart();
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async call(script: ScriptName, args: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    if (this.disposed) throw new PowerShellError('unavailable', 'The PowerShell session has been disposed.');
    if (options.signal?.aborted)
      throw new PowerShellError('cancelled', 'Cancelled before the PowerShell call started.');
    if (!SCRIPT_NAME.test(script)) throw new PowerShellError('validation', `Not a script name: ${script}`);
    const b64 = encodeArguments(args);
    const nonce = newNonce();
    if (!BASE64.test(b64) || !NONCE.test(nonce)) throw new PowerShellError('internal', 'Argument encoding failed.');
    const text = this.verifiedText(script);
    const shell = await this.ensureShell(options.signal);
    const firstInShell = !shell.loaded.has(script);
    const scriptArg = firstInShell ? ` -ScriptBase64 '${Buffer.from(text, 'utf8').toString('base64')}'` : '';
    const command = `Invoke-SoaCommand -Name '${script}' -ArgumentsBase64 '${b64}' -Nonce '${nonce}'${scriptArg}`;
    this.callCount += 1;
    const envelope = await this.invoke(
      shell,
      command,
      nonce,
      options.timeoutMs ?? this.defaultTimeoutMs,
      options.signal,
      script,
    );
    // The shell keeps the text unless it said the script is unavailable (then the next call sends it again).
    if (envelope.ok || envelope.error.code !== 'unavailable') shell.loaded.add(script);
    if (envelope.ok) return envelope.data;
    const e = envelope.error;
    throw new PowerShellError(toErrorCode(e.code), e.message, e.fqid || null, e.category || null, e.type ?? null);
  }

  /** The checked text of a script, or a PowerShellError saying which file changed and what to do. */
  private verifiedText(script: string): string {
    try {
      return this.scripts.text(script);
    } catch (e) {
      if (e instanceof ScriptIntegrityError) {
        log.warn('PowerShell script refused', { file: e.file, hashes: this.scripts.source });
        throw new PowerShellError('unavailable', e.message, 'Soa.scriptIntegrity');
      }
      throw e;
    }
  }

  private async invoke(
    shell: LiveShell,
    command: string,
    nonce: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    label: string,
  ): Promise<Envelope> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<'timeout' | 'cancelled'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      if (signal) {
        onAbort = () => resolve('cancelled');
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    const invocation = shell.ps.invoke(command).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    try {
      const outcome = await Promise.race([invocation, stop]);
      if (outcome === 'timeout' || outcome === 'cancelled') {
        // node-powershell's own timeout leaves the command running; kill the shell instead.
        if (this.shell === shell) this.shell = undefined;
        await this.kill(shell);
        if (outcome === 'timeout') {
          throw new PowerShellError(
            'timeout',
            `${label} did not finish within ${Math.round(timeoutMs / 1000)} s; the PowerShell session was restarted.`,
          );
        }
        throw new PowerShellError('cancelled', `${label} was cancelled; the PowerShell session was restarted.`);
      }
      shell.ps.history.length = 0;
      if (!outcome.ok) {
        if (this.shell === shell) this.shell = undefined;
        await this.kill(shell);
        const detail = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
        throw new PowerShellError(
          'powershell',
          `The PowerShell process ended during ${label} (${detail || 'no detail'}); the next call starts a new one.`,
        );
      }
      const stdout = outcome.result.stdout?.toString('utf8') ?? '';
      const stderr = outcome.result.stderr?.toString('utf8') ?? '';
      if (stderr.trim()) log.warn('PowerShell wrote to stderr', { call: label, stderr: stderr.slice(0, 2000) });
      const frame = parseFrame(stdout, nonce);
      if (frame.noise.length)
        log.debug('PowerShell wrote extra output', { call: label, lines: frame.noise.slice(0, 20) });
      if (frame.kind === 'envelope') return frame.envelope;
      if (frame.kind === 'malformed') {
        throw new PowerShellError('powershell', `${label} returned a malformed result: ${frame.reason}.`);
      }
      const hint = (stderr.trim() || frame.noise.join('\n')).slice(0, 500);
      throw new PowerShellError('powershell', `${label} returned no result${hint ? `: ${hint}` : '.'}`);
    } finally {
      if (timer) clearTimeout(timer);
      if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private async ensureShell(signal?: AbortSignal): Promise<LiveShell> {
    if (this.shell && !this.shell.exited && !realProcessGone(this.shell)) return this.shell;
    if (this.shell && !this.shell.exited) await this.kill(this.shell);
    this.shell = undefined;
    if (!this.starting) {
      this.starting = this.start(signal).finally(() => {
        this.starting = undefined;
      });
    }
    const shell = await this.starting;
    this.shell = shell;
    return shell;
  }

  private async start(signal?: AbortSignal): Promise<LiveShell> {
    if (!existsSync(path.join(this.scriptDir, 'Initialize-SoaSession.ps1'))) {
      throw new PowerShellError('unavailable', `PowerShell scripts not found in ${this.scriptDir}.`);
    }
    const initText = this.verifiedText('Initialize-SoaSession');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.options.env,
      SOA_PS_MODULE_PATHS: (this.options.modulePaths ?? []).join(path.delimiter),
      NO_COLOR: '1',
      POWERSHELL_TELEMETRY_OPTOUT: '1',
      POWERSHELL_UPDATECHECK: 'Off',
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    };
    const executableOptions: Record<string, string | boolean> = { '-NoProfile': true, '-NonInteractive': true };
    if (process.platform === 'win32') executableOptions['-ExecutionPolicy'] = 'Bypass';
    let ps: PowerShell;
    try {
      ps = new PowerShell({
        executable: this.exe,
        executableOptions,
        spawnOptions: { env, windowsHide: true, cwd: this.scriptDir },
        throwOnInvocationError: false,
      });
    } catch (e) {
      throw new PowerShellError(
        'unavailable',
        `Could not start PowerShell (${this.exe}): ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.startCount += 1;
    const shell: LiveShell = { ps, process: childOf(ps), exited: false, info: undefined, loaded: new Set() };
    const exit = Reflect.get(ps, 'exitPromise') as unknown;
    if (exit instanceof Promise) {
      exit.then(
        () => this.onExit(shell, undefined),
        (e: unknown) => this.onExit(shell, e),
      );
    }
    shell.process?.once('exit', () => {
      shell.exited = true;
    });
    const nonce = newNonce();
    // The checked text becomes a script block at the top level of the shell; no file is run.
    const initB64 = Buffer.from(initText, 'utf8').toString('base64');
    const init =
      `. ([ScriptBlock]::Create([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${initB64}')))); ` +
      `Write-SoaEnvelope -Nonce '${nonce}' -Envelope ([ordered]@{ ok = $true; data = (Get-SoaSessionInfo) })`;
    let envelope: Envelope;
    try {
      envelope = await this.invoke(shell, init, nonce, this.startTimeoutMs, signal, 'starting PowerShell');
    } catch (e) {
      await this.kill(shell);
      if (e instanceof PowerShellError && (e.code === 'timeout' || e.code === 'cancelled')) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new PowerShellError('unavailable', `PowerShell (${this.exe}) could not be started: ${why}`);
    }
    if (!envelope.ok) {
      await this.kill(shell);
      throw new PowerShellError(
        'unavailable',
        `PowerShell session setup failed: ${envelope.error.message}`,
        envelope.error.fqid,
      );
    }
    const data = envelope.data as Partial<SessionInfo> | null;
    shell.info = {
      psEdition: String(data?.psEdition ?? ''),
      psVersion: String(data?.psVersion ?? ''),
      processId: Number(data?.processId ?? 0),
      modules: Array.isArray(data?.modules) ? data.modules.map(String) : [],
    };
    log.info('PowerShell session started', {
      exe: path.basename(this.exe),
      version: shell.info.psVersion,
      edition: shell.info.psEdition,
    });
    return shell;
  }

  private onExit(shell: LiveShell, error: unknown): void {
    shell.exited = true;
    if (this.shell === shell) {
      this.shell = undefined;
      if (!this.disposed)
        log.warn('PowerShell session ended; the next call starts a new one', {
          error: error instanceof Error ? error.message : undefined,
        });
    }
  }

  private async kill(shell: LiveShell): Promise<void> {
    // The dotnet-tool shim starts PowerShell as its own child: killing only the shim would leave
    // the command running, so the PowerShell process the session reported is killed first.
    if (shell.exited) return;
    const real = shell.info?.processId;
    if (real && real !== shell.process?.pid) {
      try {
        process.kill(real, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (shell.exited) return;
    shell.exited = true;
    try {
      await shell.ps.dispose('SIGKILL');
    } catch {
      // A killed shell rejects its exit promise; that is the expected outcome here.
    }
  }
}

/**
 * True when the PowerShell the shell reported ($PID) is gone while the process node-powershell spawned (a
 * dotnet-tool shim) has not exited yet: the next command would be written into a dying shim.
 */
function realProcessGone(shell: LiveShell): boolean {
  const real = shell.info?.processId;
  if (!real || real === shell.process?.pid) return false;
  try {
    process.kill(real, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function childOf(ps: PowerShell): ChildProcess | undefined {
  const child = Reflect.get(ps, 'process') as unknown;
  return child && typeof child === 'object' && 'pid' in child ? (child as ChildProcess) : undefined;
}
