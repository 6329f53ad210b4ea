/**
 * The OData query subset the lab's Graph understands: `$filter` (eq, ne, ge, le, gt, lt, and, or, not,
 * startswith, endswith, contains, `coll/any(x: …)`), `$search` (`"prop:term"` clauses with AND/OR) and `$select`.
 */

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Literal =
  | { k: 'string'; v: string }
  | { k: 'bool'; v: boolean }
  | { k: 'null' }
  | { k: 'number'; v: number }
  | { k: 'date'; v: number; raw: string }
  | { k: 'guid'; v: string };

export type FilterNode =
  | { t: 'and' | 'or'; a: FilterNode; b: FilterNode }
  | { t: 'not'; a: FilterNode }
  | { t: 'cmp'; op: 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt'; path: string[]; value: Literal }
  | { t: 'fn'; name: 'startswith' | 'endswith' | 'contains'; path: string[]; value: string }
  | { t: 'any'; path: string[]; variable: string; body: FilterNode };

type Token =
  | { k: 'punct'; v: '(' | ')' | ',' | ':' }
  | { k: 'string'; v: string }
  | { k: 'word'; v: string }
  | { k: 'date'; v: string };

function invalid(detail: string): GraphError {
  return new GraphError(400, 'BadRequest', `Invalid filter clause: ${detail}`);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === ':') {
      out.push({ k: 'punct', v: c });
      i++;
      continue;
    }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw invalid('unterminated string literal');
        const d = src.charAt(i);
        if (d === "'") {
          if (src.charAt(i + 1) === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += d;
        i++;
      }
      out.push({ k: 'string', v: s });
      continue;
    }
    const date = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(src.slice(i));
    if (date && !/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(src.slice(i))) {
      out.push({ k: 'date', v: date[0] });
      i += date[0].length;
      continue;
    }
    const word = /^[A-Za-z0-9_.\-/$@+]+/.exec(src.slice(i));
    if (!word) throw invalid(`syntax error at position ${i}`);
    out.push({ k: 'word', v: word[0] });
    i += word[0].length;
  }
  return out;
}

export function parseFilter(src: string): FilterNode {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const isWord = (t: Token | undefined, w: string): boolean => t?.k === 'word' && t.v.toLowerCase() === w;
  const expectPunct = (v: string): void => {
    const t = toks[p++];
    if (!t || t.k !== 'punct' || t.v !== v) throw invalid(`expected '${v}'`);
  };
  const literal = (): Literal => {
    const t = toks[p++];
    if (!t) throw invalid('expected a literal');
    if (t.k === 'string') return { k: 'string', v: t.v };
    if (t.k === 'date') {
      const ms = Date.parse(t.v.length === 10 ? `${t.v}T00:00:00Z` : t.v);
      if (Number.isNaN(ms)) throw invalid(`bad date ${t.v}`);
      return { k: 'date', v: ms, raw: t.v };
    }
    if (t.k === 'word') {
      const w = t.v.toLowerCase();
      if (w === 'true' || w === 'false') return { k: 'bool', v: w === 'true' };
      if (w === 'null') return { k: 'null' };
      if (/^-?\d+(\.\d+)?$/.test(w)) return { k: 'number', v: Number(w) };
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(w)) return { k: 'guid', v: w };
    }
    throw invalid(`unexpected '${t.v}'`);
  };
  const pathOf = (w: string): string[] => w.split('/').filter((s) => s.length > 0);

  function primary(): FilterNode {
    const t = peek();
    if (!t) throw invalid('unexpected end');
    if (t.k === 'punct' && t.v === '(') {
      p++;
      const e = orExpr();
      expectPunct(')');
      return e;
    }
    if (t.k !== 'word') throw invalid(`unexpected '${t.v}'`);
    const lower = t.v.toLowerCase();
    if ((lower === 'startswith' || lower === 'endswith' || lower === 'contains') && toks[p + 1]?.k === 'punct') {
      p++;
      expectPunct('(');
      const pt = toks[p++];
      if (!pt || pt.k !== 'word') throw invalid('expected a property');
      expectPunct(',');
      const lit = literal();
      if (lit.k !== 'string') throw invalid(`${lower} needs a string`);
      expectPunct(')');
      return { t: 'fn', name: lower, path: pathOf(pt.v), value: lit.v };
    }
    p++;
    const anyMatch = /^(.*)\/(any)$/i.exec(t.v);
    if (anyMatch && peek()?.k === 'punct') {
      expectPunct('(');
      const v = toks[p++];
      if (!v || v.k !== 'word') throw invalid('expected a lambda variable');
      expectPunct(':');
      const body = orExpr();
      expectPunct(')');
      return { t: 'any', path: pathOf(anyMatch[1] ?? ''), variable: v.v, body };
    }
    const opTok = toks[p++];
    if (!opTok || opTok.k !== 'word') throw invalid('expected an operator');
    const op = opTok.v.toLowerCase();
    if (op !== 'eq' && op !== 'ne' && op !== 'ge' && op !== 'le' && op !== 'gt' && op !== 'lt')
      throw invalid(`unsupported operator '${opTok.v}'`);
    return { t: 'cmp', op, path: pathOf(t.v), value: literal() };
  }
  function unary(): FilterNode {
    if (isWord(peek(), 'not')) {
      p++;
      return { t: 'not', a: unary() };
    }
    return primary();
  }
  function andExpr(): FilterNode {
    let a = unary();
    while (isWord(peek(), 'and')) {
      p++;
      a = { t: 'and', a, b: unary() };
    }
    return a;
  }
  function orExpr(): FilterNode {
    let a = andExpr();
    while (isWord(peek(), 'or')) {
      p++;
      a = { t: 'or', a, b: andExpr() };
    }
    return a;
  }
  const root = orExpr();
  if (p !== toks.length) throw invalid(`unexpected '${toks[p]?.v ?? ''}'`);
  return root;
}

/** Property roots a filter uses (lambda variables excluded), for per-resource validation. */
export function filterProperties(node: FilterNode, vars: string[] = []): string[] {
  switch (node.t) {
    case 'and':
    case 'or':
      return [...filterProperties(node.a, vars), ...filterProperties(node.b, vars)];
    case 'not':
      return filterProperties(node.a, vars);
    case 'cmp':
    case 'fn':
      return vars.includes(node.path[0] ?? '') ? [] : [node.path.join('/')];
    case 'any':
      return [node.path.join('/'), ...filterProperties(node.body, [...vars, node.variable])];
  }
}

export function usesOperator(node: FilterNode, pred: (n: FilterNode) => boolean): boolean {
  if (pred(node)) return true;
  switch (node.t) {
    case 'and':
    case 'or':
      return usesOperator(node.a, pred) || usesOperator(node.b, pred);
    case 'not':
      return usesOperator(node.a, pred);
    case 'any':
      return usesOperator(node.body, pred);
    default:
      return false;
  }
}

/**
 * How string comparisons treat case. Directory filters compare in any case (the default); the provisioning log
 * says its filters are case sensitive (docs/reference/cloud-sync.md#provisioning-log-filters).
 */
export interface FilterCase {
  /** string values compared exactly */
  values?: boolean;
  /** property names must be spelled in their exact case */
  names?: boolean;
}

function resolve(root: unknown, path: string[], scope: Record<string, unknown>, fc: FilterCase = {}): unknown {
  let cur: unknown = root;
  let segs = path;
  const first = path[0];
  if (first !== undefined && first in scope) {
    cur = scope[first];
    segs = path.slice(1);
  }
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const rec = cur as Record<string, unknown>;
    const key = fc.names
      ? Object.keys(rec).find((k) => k === s)
      : Object.keys(rec).find((k) => k.toLowerCase() === s.toLowerCase());
    cur = key === undefined ? undefined : rec[key];
  }
  return cur;
}

function compare(actual: unknown, op: string, lit: Literal, fc: FilterCase = {}): boolean {
  if (lit.k === 'null') {
    const isNull = actual === null || actual === undefined;
    return op === 'eq' ? isNull : op === 'ne' ? !isNull : false;
  }
  if (actual === null || actual === undefined) return op === 'ne';
  let a: number | string | boolean;
  let b: number | string | boolean;
  if (lit.k === 'date') {
    a = typeof actual === 'string' ? Date.parse(actual) : NaN;
    b = lit.v;
  } else if (lit.k === 'bool') {
    a = actual === true;
    b = lit.v;
  } else if (lit.k === 'number') {
    a = Number(actual);
    b = lit.v;
  } else {
    a = fc.values ? String(actual) : String(actual).toLowerCase();
    b = fc.values ? lit.v : lit.v.toLowerCase();
  }
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'ge':
      return a >= b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'lt':
      return a < b;
    default:
      return false;
  }
}

export function evaluateFilter(
  node: FilterNode,
  obj: unknown,
  scope: Record<string, unknown> = {},
  fc: FilterCase = {},
): boolean {
  switch (node.t) {
    case 'and':
      return evaluateFilter(node.a, obj, scope, fc) && evaluateFilter(node.b, obj, scope, fc);
    case 'or':
      return evaluateFilter(node.a, obj, scope, fc) || evaluateFilter(node.b, obj, scope, fc);
    case 'not':
      return !evaluateFilter(node.a, obj, scope, fc);
    case 'cmp': {
      const v = resolve(obj, node.path, scope, fc);
      if (Array.isArray(v)) return v.some((x) => compare(x, node.op, node.value, fc));
      return compare(v, node.op, node.value, fc);
    }
    case 'fn': {
      const v = resolve(obj, node.path, scope, fc);
      const test = (x: unknown): boolean => {
        if (typeof x !== 'string') return false;
        const v = fc.values ? x : x.toLowerCase();
        const want = fc.values ? node.value : node.value.toLowerCase();
        if (node.name === 'startswith') return v.startsWith(want);
        if (node.name === 'endswith') return v.endsWith(want);
        return v.includes(want);
      };
      return Array.isArray(v) ? v.some(test) : test(v);
    }
    case 'any': {
      const coll = resolve(obj, node.path, scope, fc);
      if (!Array.isArray(coll)) return false;
      return coll.some((el) => evaluateFilter(node.body, obj, { ...scope, [node.variable]: el }, fc));
    }
  }
}

export interface SearchClause {
  property: string;
  term: string;
}
export type SearchExpr = { clauses: SearchClause[]; ops: ('AND' | 'OR')[] };

export function parseSearch(src: string): SearchExpr {
  const re = /"([^"]*)"|\b(AND|OR)\b/g;
  const clauses: SearchClause[] = [];
  const ops: ('AND' | 'OR')[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    if (m[2] === 'AND' || m[2] === 'OR') {
      ops.push(m[2]);
      continue;
    }
    const body = m[1] ?? '';
    const idx = body.indexOf(':');
    if (idx < 0)
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Syntax error: character ':' is not valid at position 0 in '${body}'.`,
      );
    clauses.push({ property: body.slice(0, idx), term: body.slice(idx + 1) });
  }
  if (clauses.length === 0)
    throw new GraphError(
      400,
      'Request_UnsupportedQuery',
      'Syntax error: \'$search\' must use the form "property:term".',
    );
  while (ops.length < clauses.length - 1) ops.push('AND');
  return { clauses, ops };
}

export function matchesSearch(expr: SearchExpr, obj: Record<string, unknown>): boolean {
  const test = (c: SearchClause): boolean => {
    const v = resolve(obj, [c.property], {});
    if (typeof v !== 'string') return false;
    const term = c.term.toLowerCase();
    const val = v.toLowerCase();
    return val.startsWith(term) || val.split(/[^a-z0-9]+/).some((tok) => tok.startsWith(term));
  };
  let result = expr.clauses[0] ? test(expr.clauses[0]) : false;
  for (let i = 1; i < expr.clauses.length; i++) {
    const c = expr.clauses[i];
    if (!c) continue;
    result = expr.ops[i - 1] === 'OR' ? result || test(c) : result && test(c);
  }
  return result;
}

export function parseSelect(src: string | null, allowed: readonly string[], typeName: string): string[] | null {
  if (src === null || src.trim() === '') return null;
  const out: string[] = [];
  for (const raw of src.split(',')) {
    const name = raw.trim();
    const hit = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
    if (!hit)
      throw new GraphError(
        400,
        'Request_BadRequest',
        `Could not find a property named '${name}' on type 'microsoft.graph.${typeName}'.`,
      );
    out.push(hit);
  }
  return out;
}

export function project(obj: Record<string, unknown>, select: string[] | null): Record<string, unknown> {
  if (!select) return obj;
  const out: Record<string, unknown> = {};
  if ('@odata.type' in obj) out['@odata.type'] = obj['@odata.type'];
  for (const k of select) out[k] = obj[k] ?? null;
  return out;
}
