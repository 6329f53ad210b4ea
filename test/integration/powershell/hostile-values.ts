/** Values that break naive quoting; each must arrive intact and never execute. */
import { tmpdir } from 'node:os';
import path from 'node:path';

export const canaryPath = path.join(tmpdir(), `soa-pilot-canary-${process.pid}`);
const canaryCmd = `New-Item -ItemType File -Path '${canaryPath}'`;

export const hostileValues: Record<string, string> = {
  singleQuote: `O'Brien'; ${canaryCmd}; '`,
  doubleQuote: `say "hi" "$(${canaryCmd})"`,
  backtick: 'tick`n`$(x)` end`',
  subexpression: `$(${canaryCmd})`,
  semicolon: `a; ${canaryCmd}; b`,
  newline: `line1\n${canaryCmd}\nline3\r\n`,
  nul: `before\u0000after`,
  rtl: `\u202Eevil\u200F\u200Etxt`,
  curlyQuotes: `‘${canaryCmd}’ “x” ‚y‛ „z‟`,
  mixed: `'"\`$(${canaryCmd});\n\u0000\u200F‘’“”`,
};
