/**
 * Bencode, the encoding of rtpengine's ng control protocol (`<cookie> <dictionary>`). Written here rather than taken
 * from npm: the ng protocol uses only the four bencode types with UTF-8 strings (SDP, tags, flags), the whole codec
 * is the two functions below, and npm's `bencode` answers byte arrays for every string, which each caller would then
 * have to turn back into text. rtpengine also accepts JSON, but bencode is the form every rtpengine release speaks.
 */

/** A bencoded value as rtpengine sends and receives it. */
export type BencodeValue = string | number | BencodeValue[] | BencodeDict;
/** A bencoded dictionary. */
export interface BencodeDict {
  [key: string]: BencodeValue;
}

/** Encodes a value; dictionary keys are sorted as the bencode specification asks, undefined entries are left out. */
export function bencode(value: BencodeValue | undefined): Buffer {
  const parts: string[] = [];
  write(value, parts);
  // Text pieces joined and encoded once: a Buffer per piece (about a hundred per offer) showed in the calls
  // bench's profile. String lengths are UTF-8 byte counts, as bencode wants.
  return Buffer.from(parts.join(''), 'utf8');
}

function write(value: BencodeValue | undefined, parts: string[]): void {
  if (typeof value === 'string') {
    parts.push(`${Buffer.byteLength(value, 'utf8')}:`, value);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode carries integers only, not ${value}`);
    parts.push(`i${value}e`);
  } else if (Array.isArray(value)) {
    parts.push('l');
    for (const item of value) write(item, parts);
    parts.push('e');
  } else if (value !== undefined) {
    parts.push('d');
    for (const key of Object.keys(value).sort()) {
      if (value[key] === undefined) continue;
      write(key, parts);
      write(value[key], parts);
    }
    parts.push('e');
  }
}

/** Decodes one bencoded value that fills `bytes` exactly; throws a `SyntaxError` naming the offset otherwise. */
export function bdecode(bytes: Buffer): BencodeValue {
  const reader = new Reader(bytes);
  const value = reader.value();
  if (reader.at !== bytes.length)
    throw new SyntaxError(`bencode: ${bytes.length - reader.at} trailing bytes at ${reader.at}`);
  return value;
}

const COLON = 0x3a;
const E = 0x65;
const MINUS = 0x2d;
const ZERO = 0x30;

/**
 * A cursor over the bytes: numbers are read digit by digit and nothing is allocated but the values (rtpengine's
 * `query` and `delete` replies, a few hundred keys of counters per call, made the tuple-and-regex reader the largest
 * of Callbridge's own functions in the calls bench's profile).
 */
class Reader {
  at = 0;

  constructor(private readonly bytes: Buffer) {}

  value(): BencodeValue {
    const bytes = this.bytes;
    const start = this.at;
    const kind = bytes[start];
    if (kind === undefined) throw new SyntaxError(`bencode: value expected at ${start}, input ended`);
    if (kind === 0x69 /* i */) {
      this.at = start + 1;
      const value = this.integer(E);
      if (value === undefined) throw new SyntaxError(`bencode: bad integer at ${start}`);
      return value;
    }
    if (kind === 0x6c /* l */) {
      const list: BencodeValue[] = [];
      this.at = start + 1;
      while (bytes[this.at] !== E) list.push(this.value());
      this.at++;
      return list;
    }
    if (kind === 0x64 /* d */) {
      const dict: BencodeDict = {};
      this.at = start + 1;
      while (bytes[this.at] !== E) {
        const keyAt = this.at;
        const key = this.value();
        if (typeof key !== 'string')
          throw new SyntaxError(`bencode: dictionary key at ${keyAt} is not a string`);
        dict[key] = this.value();
      }
      this.at++;
      return dict;
    }
    const length = kind >= ZERO && kind <= ZERO + 9 ? this.integer(COLON, false) : undefined;
    if (length === undefined) throw new SyntaxError(`bencode: unknown value type at ${start}`);
    const end = this.at + length;
    if (end > bytes.length) throw new SyntaxError(`bencode: string at ${start} runs past the end`);
    const text = bytes.toString('utf8', this.at, end);
    this.at = end;
    return text;
  }

  /** Digits (a sign first when `signed`) up to `stop`, the cursor after it; undefined when malformed. */
  private integer(stop: number, signed = true): number | undefined {
    const bytes = this.bytes;
    let at = this.at;
    const negative = signed && bytes[at] === MINUS;
    if (negative) at++;
    const first = at;
    let value = 0;
    for (let byte = bytes[at]; byte !== stop; byte = bytes[++at]) {
      if (byte === undefined || byte < ZERO || byte > ZERO + 9) return undefined;
      value = value * 10 + (byte - ZERO);
    }
    if (at === first) return undefined;
    this.at = at + 1;
    return negative ? -value : value;
  }
}
