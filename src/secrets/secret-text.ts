/**
 * The next version's SecretData as text: the original text with only the values of its top-level
 * AccountName and AccountPassword members replaced. Every other byte (whitespace, key order, number
 * spellings, nested values, string escapes) is kept, which JSON.parse and JSON.stringify would not:
 * they round big numbers, drop `1e400` to null, reorder integer-like keys and rewrite escapes.
 * The text holds a password: never put any part of it, or an offset into it, into an error message
 * or a log line; errors name the label and "SecretData" only.
 */
import { InternalError, InvalidSecretError } from '../errors.js';

const ACCOUNT_NAME = 'AccountName';
const ACCOUNT_PASSWORD = 'AccountPassword';

/** Thrown inside the scanner only; turned into an InvalidSecretError that names the label, not the text. */
class Malformed extends Error {}

/** A top-level member: its decoded name and where its value's text starts and ends (end exclusive). */
interface Member {
  name: string;
  start: number;
  end: number;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A JSON scanner that accepts exactly what JSON.parse accepts; iterative, so deep nesting cannot overflow the stack. */
class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  /** JSON's whitespace: space, tab, LF, CR (not a BOM, not other Unicode spaces, as JSON.parse). */
  ws(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  expect(char: string): void {
    if (this.text[this.pos] !== char) throw new Malformed();
    this.pos++;
  }

  /** A string token at pos, decoded as JSON.parse would (lone surrogates included). */
  string(): string {
    this.expect('"');
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.atEnd) throw new Malformed();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.text.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw new Malformed();
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.text.slice(chunk, this.pos);
      const e = this.text[this.pos + 1];
      if (e === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!HEX4.test(hex)) throw new Malformed();
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const decoded = e === undefined ? undefined : SIMPLE_ESCAPES[e];
        if (decoded === undefined) throw new Malformed();
        out += decoded;
        this.pos += 2;
      }
      chunk = this.pos;
    }
  }

  /** A member name and its colon, with the whitespace around them; pos ends at the value. */
  memberName(): string {
    this.ws();
    const name = this.string();
    this.ws();
    this.expect(':');
    this.ws();
    return name;
  }

  scalar(): void {
    const c = this.peek();
    if (c === '"') {
      this.string();
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = this.pos;
    if (!NUMBER.test(this.text)) throw new Malformed();
    this.pos = NUMBER.lastIndex;
  }

  /** Skips one value of any kind (leading whitespace first); pos ends right after it. */
  value(): void {
    const open: ('{' | '[')[] = [];
    for (;;) {
      this.ws();
      const c = this.peek();
      if (c === '{' || c === '[') {
        this.pos++;
        this.ws();
        if (this.peek() === (c === '{' ? '}' : ']')) this.pos++;
        else {
          open.push(c);
          if (c === '{') this.memberName();
          continue;
        }
      } else this.scalar();
      // After a value: close what ends here, then go on to the next element or member, or finish.
      for (;;) {
        const top = open[open.length - 1];
        if (top === undefined) return;
        this.ws();
        const next = this.peek();
        if (next === ',') {
          this.pos++;
          if (top === '{') this.memberName();
          break;
        }
        if (next !== (top === '{' ? '}' : ']')) throw new Malformed();
        this.pos++;
        open.pop();
      }
    }
  }
}

/** The top-level members of a SecretData object, and where a missing member would be inserted. */
function scanObject(text: string, label: string): { members: Member[]; insertAt: number } {
  const s = new Scanner(text);
  try {
    s.ws();
    if (s.peek() !== '{') {
      // Valid JSON of another kind gets the same message as parseSecretJson gives it.
      s.value();
      s.ws();
      if (!s.atEnd) throw new Malformed();
      throw new InvalidSecretError(`${label}: SecretData must be a JSON object`);
    }
    s.pos++;
    s.ws();
    const members: Member[] = [];
    let insertAt: number;
    if (s.peek() === '}') insertAt = s.pos;
    else {
      for (;;) {
        const name = s.memberName();
        const start = s.pos;
        s.value();
        members.push({ name, start, end: s.pos });
        s.ws();
        if (s.peek() === ',') {
          s.pos++;
          continue;
        }
        // Right after the last value, so whitespace before the closing brace stays where it was.
        insertAt = members[members.length - 1]!.end;
        break;
      }
    }
    s.expect('}');
    s.ws();
    if (!s.atEnd) throw new Malformed();
    return { members, insertAt };
  } catch (err) {
    if (err instanceof Malformed) throw new InvalidSecretError(`${label}: SecretData is not valid JSON`);
    throw err;
  }
}

/**
 * `original` with the values of its top-level AccountName and AccountPassword replaced by
 * JSON.stringify of the new ones (every occurrence, if a name is repeated; names compared after
 * decoding escapes, as JSON.parse does), and each one that is missing appended after the last member.
 * Everything else is byte for byte the original. Throws InvalidSecretError, naming `label`, when
 * `original` is not a single JSON object.
 */
export function replaceAccount(original: string, accountName: string, accountPassword: string, label: string): string {
  const { members, insertAt } = scanObject(original, label);
  const replacement: Record<string, string> = {
    [ACCOUNT_NAME]: JSON.stringify(accountName),
    [ACCOUNT_PASSWORD]: JSON.stringify(accountPassword),
  };
  let out = '';
  let from = 0;
  for (const member of members) {
    const value = Object.hasOwn(replacement, member.name) ? replacement[member.name] : undefined;
    if (value === undefined) continue;
    out += original.slice(from, member.start) + value;
    from = member.end;
  }
  const missing = [ACCOUNT_NAME, ACCOUNT_PASSWORD]
    .filter((name) => !members.some((m) => m.name === name))
    .map((name) => `${JSON.stringify(name)}: ${replacement[name]}`);
  if (missing.length > 0) {
    const added = (members.length > 0 ? ', ' : '') + missing.join(', ');
    out += original.slice(from, insertAt) + added;
    from = insertAt;
  }
  out += original.slice(from);
  checkReadsBack(out, accountName, accountPassword, label);
  return out;
}

/** A last check before the text is stored: it parses and carries the new account. Never quotes it. */
function checkReadsBack(text: string, accountName: string, accountPassword: string, label: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const record = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  if (record?.[ACCOUNT_NAME] !== accountName || record[ACCOUNT_PASSWORD] !== accountPassword) {
    throw new InternalError(`${label}: the rewritten SecretData does not read back with the new account`);
  }
}
