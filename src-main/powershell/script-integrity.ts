/**
 * The production PowerShell scripts are loaded into the session as checked text, never run as files.
 *
 * A machine Group Policy of AllSigned or RemoteSigned wins over `-ExecutionPolicy Bypass`, and it refuses
 * unsigned `.ps1` files; text given to the session as a script block is not a file and is not subject to
 * it (docs/reference/connect-sync-and-powershell.md#execution-policy-and-proxy). So main reads each script, checks
 * its SHA-256 against the hashes made when the app was built, and sends the text. A script that was
 * changed after the build is refused with a message that says so.
 *
 * Where the hashes come from:
 * - the built app: `__SOA_SCRIPT_HASHES__`, computed from resources/powershell/*.ps1 by electron.vite.config.ts;
 * - an unbuilt run (browser mode under tsx, tests, the bench): the files as found when the first session
 *   starts in this process (they guard against a change during the run only), or hashes given explicitly.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** File name (e.g. `Get-SoaScheduler.ps1`) → lowercase hex SHA-256 of its bytes. */
export type ScriptHashes = Readonly<Record<string, string>>;

/** Where a session's hashes came from (logged once per session, shown in failures). */
export type ScriptHashSource = 'build' | 'explicit' | 'files at start';

/** Thrown when a script is missing from the hashes or its text does not match them. */
export class ScriptIntegrityError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ScriptIntegrityError';
  }
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The hashes of every `*.ps1` directly inside `dir` (not the lab stand-ins below it). */
export function hashScriptDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.ps1')) continue;
    out[name] = sha256Hex(readFileSync(path.join(dir, name)));
  }
  return out;
}

declare const __SOA_SCRIPT_HASHES__: Record<string, string> | undefined;

/** The hashes baked into this build, or undefined when the code runs unbuilt. */
export function builtScriptHashes(): ScriptHashes | undefined {
  return typeof __SOA_SCRIPT_HASHES__ === 'undefined' ? undefined : __SOA_SCRIPT_HASHES__;
}

/**
 * Reads scripts from one folder and hands out their text only when it matches the hashes. Verified text is
 * kept, so what runs is what was checked even if the file changes afterwards.
 */
export class ScriptLoader {
  private readonly verified = new Map<string, string>();

  constructor(
    readonly dir: string,
    readonly hashes: ScriptHashes,
    readonly source: ScriptHashSource,
  ) {}

  /** The UTF-8 text of `<name>.ps1`; throws ScriptIntegrityError when it is unknown, unreadable or changed. */
  text(name: string): string {
    const file = `${name}.ps1`;
    const cached = this.verified.get(file);
    if (cached !== undefined) return cached;
    const expected = this.hashes[file];
    if (!expected) {
      throw new ScriptIntegrityError(
        `${file} is not one of the PowerShell scripts this build of soa-pilot ships; it was not loaded. Reinstall soa-pilot.`,
        file,
      );
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.join(this.dir, file));
    } catch (e) {
      throw new ScriptIntegrityError(
        `${file} could not be read from ${this.dir} (${e instanceof Error ? e.message : String(e)}). Reinstall soa-pilot.`,
        file,
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      throw new ScriptIntegrityError(
        `${file} in ${this.dir} was changed after this build of soa-pilot (SHA-256 ${actual.slice(0, 16)}…, ` +
          `expected ${expected.slice(0, 16)}…), so it was not loaded and nothing of it ran. ` +
          'Reinstall soa-pilot, or restore the file from the installer; do not edit the shipped scripts.',
        file,
      );
    }
    // Strip a UTF-8 byte-order mark: [ScriptBlock]::Create takes the text, not the file bytes.
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    this.verified.set(file, text);
    return text;
  }
}

let startHashes: { dir: string; hashes: ScriptHashes } | undefined;

/**
 * The loader for a session: explicit hashes win, then the build's, then the files as found the first time a
 * session of this process starts from `dir` (an unbuilt run).
 */
export function scriptLoaderFor(dir: string, explicit?: ScriptHashes): ScriptLoader {
  if (explicit) return new ScriptLoader(dir, explicit, 'explicit');
  const built = builtScriptHashes();
  if (built) return new ScriptLoader(dir, built, 'build');
  if (!startHashes || startHashes.dir !== dir) startHashes = { dir, hashes: hashScriptDir(dir) };
  return new ScriptLoader(dir, startHashes.hashes, 'files at start');
}
