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
export function evaluateLdapFilter(filter: LdapFilter, read: (attr: string) => readonly string[]): boolean {
  return compileLdapFilter(filter, (_o: null, attr: string) => read(attr))(null);
}

/**
 * The filter as a test on objects of type T, built once per query: `read(o, attr)` returns the values of an
 * attribute (lower-case name) or [] when absent. A query tests thousands of objects, so names are lower-cased,
 * regexps compiled and an OR of equality terms on one attribute (a batched lookup's `(|(mail=a)(mail=b)…)`)
 * turned into one set lookup here, not per object.
 */
export function compileLdapFilter<T>(
  filter: LdapFilter,
  read: (o: T, attr: string) => readonly string[],
): (o: T) => boolean {
  switch (filter.op) {
    case 'and': {
      const parts = filter.filters.map((f) => compileLdapFilter(f, read));
      return (o) => {
        for (const p of parts) if (!p(o)) return false;
        return true;
      };
    }
    case 'or': {
      const first = filter.filters[0];
      const attr = first && first.op === 'eq' ? first.attr.toLowerCase() : undefined;
      if (attr !== undefined && filter.filters.every((f) => f.op === 'eq' && f.attr.toLowerCase() === attr)) {
        const wanted = new Set(filter.filters.map((f) => (f.op === 'eq' ? f.value.toLowerCase() : '')));
        return (o) => {
          for (const v of read(o, attr)) if (wanted.has(v.toLowerCase())) return true;
          return false;
        };
      }
      const parts = filter.filters.map((f) => compileLdapFilter(f, read));
      return (o) => {
        for (const p of parts) if (p(o)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileLdapFilter(filter.filter, read);
      return (o) => !inner(o);
    }
    case 'present': {
      const attr = filter.attr.toLowerCase();
      return (o) => read(o, attr).length > 0;
    }
    case 'eq': {
      const attr = filter.attr.toLowerCase();
      const want = filter.value.toLowerCase();
      return (o) => {
        for (const v of read(o, attr)) if (v.toLowerCase() === want) return true;
        return false;
      };
    }
    case 'ge':
    case 'le': {
      const attr = filter.attr.toLowerCase();
      const sign = filter.op === 'ge' ? 1 : -1;
      const value = filter.value;
      return (o) => {
        for (const v of read(o, attr)) if (compare(v, value) * sign >= 0) return true;
        return false;
      };
    }
    case 'substr': {
      const attr = filter.attr.toLowerCase();
      const re = cachedRegExp(`^${filter.parts.map(escapeRegExp).join('.*')}$`);
      return (o) => {
        for (const v of read(o, attr)) if (re.test(v)) return true;
        return false;
      };
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
