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
  const [value, end] = read(bytes, 0);
  if (end !== bytes.length) throw new SyntaxError(`bencode: ${bytes.length - end} trailing bytes at ${end}`);
  return value;
}

const COLON = 0x3a;
const E = 0x65;

function read(bytes: Buffer, at: number): [BencodeValue, number] {
  const kind = bytes[at];
  if (kind === undefined) throw new SyntaxError(`bencode: value expected at ${at}, input ended`);
  if (kind === 0x69 /* i */) {
    const end = bytes.indexOf(E, at);
    const text = end < 0 ? '' : bytes.toString('latin1', at + 1, end);
    if (!/^-?\d+$/.test(text)) throw new SyntaxError(`bencode: bad integer at ${at}`);
    return [Number(text), end + 1];
  }
  if (kind === 0x6c /* l */) {
    const list: BencodeValue[] = [];
    let next = at + 1;
    while (bytes[next] !== E) {
      const [item, after] = read(bytes, next);
      list.push(item);
      next = after;
    }
    return [list, next + 1];
  }
  if (kind === 0x64 /* d */) {
    const dict: BencodeDict = {};
    let next = at + 1;
    while (bytes[next] !== E) {
      const [key, afterKey] = read(bytes, next);
      if (typeof key !== 'string')
        throw new SyntaxError(`bencode: dictionary key at ${next} is not a string`);
      const [item, after] = read(bytes, afterKey);
      dict[key] = item;
      next = after;
    }
    return [dict, next + 1];
  }
  const colon = bytes.indexOf(COLON, at);
  const lengthText = colon < 0 ? '' : bytes.toString('latin1', at, colon);
  if (!/^\d+$/.test(lengthText)) throw new SyntaxError(`bencode: unknown value type at ${at}`);
  const end = colon + 1 + Number(lengthText);
  if (end > bytes.length) throw new SyntaxError(`bencode: string at ${at} runs past the end`);
  return [bytes.toString('utf8', colon + 1, end), end];
}
