/**
 * The journal's credential filter: a record that carries a token or secret is refused before it is
 * written. Secrets are recognised by their structure, never by words that can occur in names
 * ("Standard Bearer Investments" is a company, not a header):
 *
 * - a JWT / JWS / JWE: base64url segments separated by dots whose first segment decodes to a JSON
 *   object (it starts with `eyJ`, the base64url of `{"`), see docs/reference/journal.md;
 * - a field whose name is a known credential field (`access_token`, `refresh_token`, `id_token`,
 *   `client_secret`, `password`, `authorization`, `client_assertion`, …, in snake or camel case);
 * - an `Authorization:` header line with a value (`Authorization: Bearer …`, `Basic …`);
 * - `Bearer <token>` where the token looks like a credential: JWT-shaped, or a long run of token
 *   characters that mixes letters and digits (an opaque access token), never an ordinary word;
 * - a credential passed in a URL or form body (`access_token=…`, `client_secret=…`).
 *
 * The filter reports where it found the secret (a JSON path) and what kind it is, never the value.
 */

export interface SecretFinding {
  /** JSON path of the offending field, e.g. `request.body.note`. */
  path: string;
  /** What was recognised (no part of the value). */
  kind: 'jwt' | 'credential field' | 'authorization header' | 'bearer token' | 'credential parameter';
}

/** base64url segment of a JOSE header: `{"` encodes to `eyJ`. Two or more further segments follow. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]{4,}={0,2}\.[A-Za-z0-9_-]*/;
/** An HTTP Authorization header with a value (any scheme). */
const AUTH_HEADER = /\b(?:proxy-)?authorization\s*:\s*[A-Za-z][A-Za-z0-9_-]*\s+\S{4,}/i;
/** `Bearer` followed by a token68 run (RFC 6750); whether it is a credential is decided by its shape. */
const BEARER = /\bbearer\s+([A-Za-z0-9._~+/-]+=*)/gi;
/** A credential in a query string or form body. */
const CREDENTIAL_PARAM =
  /(?:^|[?&#;\s])(?:access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|password)=[^&\s#]{4,}/i;

/** Field names that hold credentials (compared without `_`, `-` and case). */
const CREDENTIAL_FIELDS = new Set(
  [
    'access_token',
    'refresh_token',
    'id_token',
    'client_secret',
    'client_assertion',
    'password',
    'passwd',
    'authorization',
    'proxy_authorization',
    'bearer_token',
    'api_key',
    'secret',
    'private_key',
    'code_verifier',
    'session_key',
    'cookie',
    'set_cookie',
  ].map(normaliseKey),
);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** True when the text after `Bearer` is a credential rather than a word (e.g. "Bearer Logistics"). */
function isTokenLike(token: string): boolean {
  if (JWT.test(token)) return true;
  const core = token.replace(/=+$/, '');
  if (core.length < 20) return false;
  const letters = /[A-Za-z]/.test(core);
  const digits = /[0-9]/.test(core);
  const symbols = /[._~+/-]/.test(core);
  const upperAndLower = /[A-Z]/.test(core) && /[a-z]/.test(core);
  // An opaque token mixes character classes; a word in a name is letters (and maybe a hyphen).
  return letters && digits && (symbols || upperAndLower || core.length >= 32);
}

/** The kind of secret a string carries, if any. */
export function secretInText(text: string): SecretFinding['kind'] | null {
  if (JWT.test(text)) return 'jwt';
  if (AUTH_HEADER.test(text)) return 'authorization header';
  for (const m of text.matchAll(BEARER)) if (m[1] && isTokenLike(m[1])) return 'bearer token';
  if (CREDENTIAL_PARAM.test(text)) return 'credential parameter';
  return null;
}

/** The first secret in a JSON-like value (depth-first), or null. Does not echo the value. */
export function findSecret(value: unknown, path = '', depth = 0): SecretFinding | null {
  if (depth > 64) return null;
  if (typeof value === 'string') {
    const kind = secretInText(value);
    return kind ? { path: path || '(value)', kind } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = findSecret(value[i], `${path}[${i}]`, depth + 1);
      if (f) return f;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const p = path ? `${path}.${key}` : key;
      if (CREDENTIAL_FIELDS.has(normaliseKey(key))) return { path: p, kind: 'credential field' };
      const kindOfKey = secretInText(key);
      if (kindOfKey) return { path: p, kind: kindOfKey };
      const f = findSecret(v, p, depth + 1);
      if (f) return f;
    }
  }
  return null;
}
