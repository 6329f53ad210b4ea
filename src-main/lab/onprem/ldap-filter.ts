/**
 * A small RFC 4515 LDAP filter parser and evaluator, enough for what `Get-ADObject -LDAPFilter`
 * (and the stand-in's `-Filter` translation) needs: `&`, `|`, `!`, `=`, `>=`, `<=`, presence,
 * `*` wildcards and `\XX` escapes. Matching is case-insensitive.
 */
export type LdapFilter =
  | { op: 'and' | 'or'; filters: LdapFilter[] }
  | { op: 'not'; filter: LdapFilter }
  | { op: 'present'; attr: string }
  | { op: 'eq' | 'ge' | 'le'; attr: string; value: string }
  | { op: 'substr'; attr: string; parts: string[] };

export class LdapFilterError extends Error {}

export function parseLdapFilter(text: string): LdapFilter {
  let pos = 0;
  const src = text.trim();

  const fail = (): never => {
    throw new LdapFilterError(`Invalid LDAP filter at position ${pos}: ${src}`);
  };

  const parseFilter = (): LdapFilter => {
    if (src[pos] !== '(') fail();
    pos += 1;
    const c = src[pos];
    let result: LdapFilter;
    if (c === '&' || c === '|') {
      pos += 1;
      const filters: LdapFilter[] = [];
      while (src[pos] === '(') filters.push(parseFilter());
      if (filters.length === 0) fail();
      result = { op: c === '&' ? 'and' : 'or', filters };
    } else if (c === '!') {
      pos += 1;
      result = { op: 'not', filter: parseFilter() };
    } else {
      result = parseItem();
    }
    if (src[pos] !== ')') fail();
    pos += 1;
    return result;
  };

  const parseItem = (): LdapFilter => {
    const start = pos;
    while (pos < src.length && /[A-Za-z0-9;.-]/.test(src[pos] ?? '')) pos += 1;
    const attr = src.slice(start, pos);
    if (!attr) fail();
    let op: 'eq' | 'ge' | 'le' | 'approx';
    if (src.startsWith('>=', pos)) {
      op = 'ge';
      pos += 2;
    } else if (src.startsWith('<=', pos)) {
      op = 'le';
      pos += 2;
    } else if (src.startsWith('~=', pos)) {
      op = 'approx';
      pos += 2;
    } else if (src[pos] === '=') {
      op = 'eq';
      pos += 1;
    } else {
      return fail();
    }
    const rawStart = pos;
    while (pos < src.length && src[pos] !== ')') {
      if (src[pos] === '(') fail();
      pos += 1;
    }
    const raw = src.slice(rawStart, pos);
    if (op === 'ge' || op === 'le') return { op, attr, value: unescape(raw) };
    if (raw === '*') return { op: 'present', attr };
    if (raw.includes('*')) return { op: 'substr', attr, parts: raw.split('*').map(unescape) };
    return { op: 'eq', attr, value: unescape(raw) };
  };

  const unescape = (raw: string): string =>
    raw.replace(/\\([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  const filter = src.startsWith('(')
    ? parseFilter()
    : (() => {
        // a bare item without parentheses, e.g. `mail=x@contoso.com`
        const wrapped = `(${src})`;
        return parseLdapFilter(wrapped);
      })();
  if (src.startsWith('(') && pos !== src.length) fail();
  return filter;
}

/** `read(attr)` returns the values of an attribute (lower-case name) or [] when absent. */
export function evaluateLdapFilter(filter: LdapFilter, read: (attr: string) => string[]): boolean {
  switch (filter.op) {
    case 'and':
      return filter.filters.every((f) => evaluateLdapFilter(f, read));
    case 'or':
      return filter.filters.some((f) => evaluateLdapFilter(f, read));
    case 'not':
      return !evaluateLdapFilter(filter.filter, read);
    case 'present':
      return read(filter.attr.toLowerCase()).length > 0;
    case 'eq': {
      const want = filter.value.toLowerCase();
      return read(filter.attr.toLowerCase()).some((v) => v.toLowerCase() === want);
    }
    case 'ge':
    case 'le':
      return read(filter.attr.toLowerCase()).some((v) => compare(v, filter.value) * (filter.op === 'ge' ? 1 : -1) >= 0);
    case 'substr': {
      const re = cachedRegExp(`^${filter.parts.map(escapeRegExp).join('.*')}$`);
      return read(filter.attr.toLowerCase()).some((v) => re.test(v));
    }
  }
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `*`-wildcard, case-insensitive whole-string match (as -like / FilterHashtable wildcards). */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === value.toLowerCase();
  return cachedRegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(value);
}

const regExpCache = new Map<string, RegExp>();

/** Case-insensitive, dot-all regexps, compiled once (queries scan thousands of objects). */
function cachedRegExp(source: string): RegExp {
  let re = regExpCache.get(source);
  if (!re) {
    if (regExpCache.size > 500) regExpCache.clear();
    re = new RegExp(source, 'is');
    regExpCache.set(source, re);
  }
  return re;
}
