/**
 * The OData query options the emulator understands: `$select`, `$top`, and a `$filter` subset — comparisons
 * (eq, ne, gt, ge, lt, le), `in`, `startswith`/`endswith`, `any(x:x/p eq v)` on collections, `and`, `or`, `not`
 * and parentheses. Enough for the fields Callbridge filters on; anything else is a 400 like Graph's.
 */
export type Item = Record<string, unknown>;
export type Predicate = (item: Item) => boolean;

/** A filter Graph would refuse. */
export class ODataError extends Error {}

type Token = { kind: 'word' | 'string' | 'punct'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // A bare DateTimeOffset (2025-01-07T09:08:50Z) is one word even though it holds colons.
  const re = /\s*(?:'((?:[^']|'')*)'|(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d))|([(),:])|([^\s(),:']+))/y;
  let match: RegExpExecArray | null;
  while (re.lastIndex < text.length && (match = re.exec(text))) {
    if (match[1] !== undefined) tokens.push({ kind: 'string', text: match[1].replace(/''/g, "'") });
    else if (match[2] !== undefined) tokens.push({ kind: 'word', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'punct', text: match[3] });
    else if (match[4] !== undefined) tokens.push({ kind: 'word', text: match[4] });
    if (text.slice(re.lastIndex).trim() === '') break;
  }
  return tokens;
}

function valueAt(item: Item, path: string): unknown {
  let value: unknown = item;
  for (const part of path.split('/'))
    value = value && typeof value === 'object' ? (value as Item)[part] : undefined;
  return value;
}

function literal(token: Token | undefined): unknown {
  if (!token) throw new ODataError('Filter ended early.');
  if (token.kind === 'string') return token.text;
  if (token.text === 'true') return true;
  if (token.text === 'false') return false;
  if (token.text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(token.text)) return Number(token.text);
  return token.text; // GUIDs are written bare
}

const same = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;

const comparisons: Record<string, (a: unknown, b: unknown) => boolean> = {
  eq: same,
  ne: (a, b) => !same(a, b),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
};

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Predicate {
    const predicate = this.or();
    if (this.at < this.tokens.length) throw new ODataError(`Unexpected '${this.tokens[this.at]!.text}'.`);
    return predicate;
  }

  private peek(text?: string): Token | undefined {
    const token = this.tokens[this.at];
    return text === undefined || token?.text.toLowerCase() === text ? token : undefined;
  }

  private take(text?: string): Token {
    const token = this.tokens[this.at++];
    if (!token || (text !== undefined && token.text.toLowerCase() !== text)) {
      throw new ODataError(`Expected '${text ?? 'a term'}' in filter.`);
    }
    return token;
  }

  private or(): Predicate {
    let left = this.and();
    while (this.peek('or')) {
      this.take();
      const a = left;
      const b = this.and();
      left = (item) => a(item) || b(item);
    }
    return left;
  }

  private and(): Predicate {
    let left = this.term();
    while (this.peek('and')) {
      this.take();
      const a = left;
      const b = this.term();
      left = (item) => a(item) && b(item);
    }
    return left;
  }

  private term(): Predicate {
    if (this.peek('not')) {
      this.take();
      const inner = this.term();
      return (item) => !inner(item);
    }
    if (this.peek('(')) {
      this.take('(');
      const inner = this.or();
      this.take(')');
      return inner;
    }
    const name = this.take().text;
    const lower = name.toLowerCase();
    if (lower === 'startswith' || lower === 'endswith') return this.textFunction(lower);
    if (this.peek('(') === undefined && /\/any$/i.test(name)) throw new ODataError('any() needs a lambda.');
    if (/\/any$/i.test(name)) return this.any(name.slice(0, -4));
    const op = this.take().text.toLowerCase();
    if (op === 'in') return this.inList(name);
    const compare = comparisons[op];
    if (!compare) throw new ODataError(`Unsupported operator '${op}'.`);
    const value = literal(this.take());
    return (item) => compare(valueAt(item, name), value);
  }

  private textFunction(fn: string): Predicate {
    this.take('(');
    const field = this.take().text;
    this.take(',');
    const value = String(literal(this.take())).toLowerCase();
    this.take(')');
    return (item) => {
      const text = valueAt(item, field);
      if (typeof text !== 'string') return false;
      return fn === 'startswith' ? text.toLowerCase().startsWith(value) : text.toLowerCase().endsWith(value);
    };
  }

  private inList(field: string): Predicate {
    this.take('(');
    const values: unknown[] = [];
    while (!this.peek(')')) {
      values.push(literal(this.take()));
      if (this.peek(',')) this.take(',');
    }
    this.take(')');
    return (item) => values.some((v) => same(valueAt(item, field), v));
  }

  /** `collection/any(x:x/prop eq value)` or `collection/any(x:x eq value)`. */
  private any(collection: string): Predicate {
    this.take('(');
    const variable = this.take().text;
    this.take(':');
    const subject = this.take().text;
    const op = comparisons[this.take().text.toLowerCase()];
    const value = literal(this.take());
    this.take(')');
    if (!op) throw new ODataError('Unsupported operator in any().');
    const sub = subject === variable ? '' : subject.slice(variable.length + 1);
    return (item) => {
      const list = valueAt(item, collection);
      return Array.isArray(list) && list.some((el) => op(sub ? valueAt(el as Item, sub) : el, value));
    };
  }
}

/** Compile `$filter`; undefined when absent. Throws ODataError for what is not supported. */
export function compileFilter(filter: string | null): Predicate | undefined {
  if (!filter || filter.trim() === '') return undefined;
  return new Parser(tokenize(filter)).parse();
}

/** Keep the `$select`ed properties (id always kept, as Graph does). */
export function project(item: Item, select: readonly string[] | undefined): Item {
  if (!select || select.length === 0) return item;
  const out: Item = {};
  for (const key of ['id', ...select]) if (key in item) out[key] = item[key];
  return out;
}

/** Parse `$select`. */
export function selectOf(query: URLSearchParams): string[] | undefined {
  const select = query.get('$select');
  return select
    ? select
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

/** Parse `$top` within [1, max], or the default. */
export function topOf(query: URLSearchParams, fallback: number, max: number): number {
  const top = Number(query.get('$top') ?? query.get('$Top') ?? fallback);
  if (!Number.isInteger(top) || top < 1) throw new ODataError(`Invalid $top '${query.get('$top')}'.`);
  if (top > max) throw new ODataError(`Invalid page size specified: '${top}'. Must be between 1 and ${max}.`);
  return top;
}
