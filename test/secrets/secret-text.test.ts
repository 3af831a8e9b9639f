// The next version's SecretData text: only the top-level account values change, every other byte is the original's.
import { describe, expect, it } from 'vitest';
import { InvalidSecretError } from '../../src/errors.js';
import { replaceAccount } from '../../src/secrets/secret-text.js';

const LABEL = 'secret app-db (ACSCurrent)';
const NAME = 'appuser_rt';
const PASSWORD = 'New-Pw-1';

const replace = (text: string, name = NAME, password = PASSWORD): string => replaceAccount(text, name, password, LABEL);

/** The invariant of the brief: the result parses to the original with the new account. */
function expectReadsBack(original: string, result: string, name = NAME, password = PASSWORD): void {
  expect(JSON.parse(result)).toEqual({ ...(JSON.parse(original) as object), AccountName: name, AccountPassword: password });
}

describe('replaceAccount', () => {
  it.each([
    ['big integers', '{"Big": 12345678901234567890, "AccountName": "appuser", "AccountPassword": "old", "Neg": -98765432109876543210}'],
    ['1e400 and -1E+400', '{"Inf": 1e400, "AccountName": "appuser", "AccountPassword": "old", "NegInf": -1E+400, "Tiny": 1e-400}'],
    [
      'decimals with their own spelling',
      '{"Ratio": 1.10, "Zero": -0.0, "E": 1.50E+02, "AccountName": "appuser", "AccountPassword": "old"}',
    ],
    ['integer-like keys in their order', '{"10": "a", "2": "b", "1": "c", "AccountName": "appuser", "AccountPassword": "old", "0": "d"}'],
    [
      'unicode escapes in other values',
      '{"Note": "caf\\u00E9 \\ud83d\\ude00 \\/ \\b", "AccountName": "appuser", "AccountPassword": "old", "Raw": "café 😀"}',
    ],
  ])('keeps %s byte for byte', (_, original) => {
    const result = replace(original);
    expect(result).toBe(original.replace('"appuser"', JSON.stringify(NAME)).replace('"old"', JSON.stringify(PASSWORD)));
    expectReadsBack(original, result);
  });

  it('replaces top-level members only, never keys of the same name in nested objects or arrays', () => {
    const original =
      '{"Owner": {"AccountName": "x", "AccountPassword": "y", "deep": [{"AccountName": "z"}]}, "AccountName": "appuser",' +
      ' "List": [{"AccountPassword": "w"}, "AccountName"], "AccountPassword": "old"}';
    const result = replace(original);
    expect(result).toBe(
      '{"Owner": {"AccountName": "x", "AccountPassword": "y", "deep": [{"AccountName": "z"}]}, "AccountName": "appuser_rt",' +
        ' "List": [{"AccountPassword": "w"}, "AccountName"], "AccountPassword": "New-Pw-1"}',
    );
    expectReadsBack(original, result);
  });

  it('replaces a value of any type, nested ones whole', () => {
    const original = '{"AccountName": {"AccountName": [1, {"a": "}"}]}, "AccountPassword": null}';
    expect(replace(original)).toBe('{"AccountName": "appuser_rt", "AccountPassword": "New-Pw-1"}');
  });

  it('compares member names after decoding escapes, as JSON.parse does', () => {
    const original = '{"Account\\u004eame": "appuser", "\\u0041ccount\\u0050assword": "old", "Account\\/Name": "kept"}';
    const result = replace(original);
    expect(result).toBe('{"Account\\u004eame": "appuser_rt", "\\u0041ccount\\u0050assword": "New-Pw-1", "Account\\/Name": "kept"}');
    expectReadsBack(original, result);
  });

  it('replaces every top-level occurrence of a repeated name', () => {
    const original = '{"AccountName": "first", "AccountPassword": "old", "X": 1, "AccountName": "last", "Account\\u004eame": 3}';
    const result = replace(original);
    expect(result).toBe(
      '{"AccountName": "appuser_rt", "AccountPassword": "New-Pw-1", "X": 1, "AccountName": "appuser_rt", "Account\\u004eame": "appuser_rt"}',
    );
    expectReadsBack(original, result);
  });

  it('appends a missing member after the last one, keeping the whitespace before the closing brace', () => {
    expect(replace('{"AccountName": "appuser", "X": [1]}')).toBe('{"AccountName": "appuser_rt", "X": [1], "AccountPassword": "New-Pw-1"}');
    expect(replace('{\n  "X": 1.10\n}\n')).toBe('{\n  "X": 1.10, "AccountName": "appuser_rt", "AccountPassword": "New-Pw-1"\n}\n');
  });

  it('fills an empty object', () => {
    expect(replace('{}')).toBe('{"AccountName": "appuser_rt", "AccountPassword": "New-Pw-1"}');
    expect(replace(' {\n} ')).toBe(' {\n"AccountName": "appuser_rt", "AccountPassword": "New-Pw-1"} ');
    expectReadsBack('{}', replace('{}'));
  });

  it('keeps whitespace and newlines everywhere', () => {
    const original = '\r\n\t{ \r\n\t"Endpoint"\t:\r\n "h" ,\n\n  "AccountName"  :  "appuser"\t,"AccountPassword":\n"old"\r\n}\n\t ';
    expect(replace(original)).toBe(original.replace('"appuser"', '"appuser_rt"').replace('"old"', '"New-Pw-1"'));
  });

  it.each([
    ['quotes and backslashes', 'a"b\\c\\"d\\\\'],
    ['JSON-looking text', '", "AccountName": "evil'],
    ['unicode', 'pässwörd-😀-\u2028-\u0000-\u001f'],
    ['a lone surrogate', 'x\ud800y'],
    ['escape-looking text', '\\u0041\\n'],
  ])('stores a password with %s so that it parses back to exactly itself', (_, password) => {
    const original = '{"AccountName": "appuser", "AccountPassword": "old", "Big": 12345678901234567890}';
    const result = replace(original, 'appuser_rt', password);
    const parsed = JSON.parse(result) as Record<string, unknown>;
    expect(parsed['AccountPassword']).toBe(password);
    expect(parsed['AccountName']).toBe('appuser_rt');
    expect(Object.keys(parsed)).toEqual(['AccountName', 'AccountPassword', 'Big']);
    expect(result.endsWith(', "Big": 12345678901234567890}')).toBe(true);
  });

  it.each([
    ['an array', '["S3cret-Pw-1"]', /must be a JSON object/],
    ['a string', '"S3cret-Pw-1"', /must be a JSON object/],
    ['a number', ' 12345678 ', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['not JSON', 'AccountPassword=S3cret-Pw-1', /not valid JSON/],
    ['empty text', '', /not valid JSON/],
    ['trailing garbage', '{"AccountPassword": "S3cret-Pw-1"} x', /not valid JSON/],
    ['two objects', '{"AccountPassword": "S3cret-Pw-1"}{}', /not valid JSON/],
    ['a trailing comma', '{"AccountPassword": "S3cret-Pw-1",}', /not valid JSON/],
    ['an unterminated string', '{"AccountPassword": "S3cret-Pw-1}', /not valid JSON/],
    ['a raw control character', '{"AccountPassword": "S3cret-Pw-1\t"}', /not valid JSON/],
    ['a bad escape', '{"AccountPassword": "S3cret-Pw-1\\x"}', /not valid JSON/],
    ['a short \\u escape', '{"AccountPassword": "S3cret-Pw-1\\u12"}', /not valid JSON/],
    ['a leading zero', '{"AccountPassword": "S3cret-Pw-1", "P": 01}', /not valid JSON/],
    ['a bare decimal point', '{"AccountPassword": "S3cret-Pw-1", "P": 1.}', /not valid JSON/],
    ['a missing colon', '{"AccountPassword" "S3cret-Pw-1"}', /not valid JSON/],
    ['a single-quoted string', "{'AccountPassword': 'S3cret-Pw-1'}", /not valid JSON/],
    ['a byte-order mark', '\ufeff{"AccountPassword": "S3cret-Pw-1"}', /not valid JSON/],
    ['an unclosed nested array', '{"AccountPassword": "S3cret-Pw-1", "X": [1, {"y": 2}}', /not valid JSON/],
    ['NaN', '{"AccountPassword": "S3cret-Pw-1", "X": NaN}', /not valid JSON/],
  ])('refuses %s with InvalidSecretError naming the label, never the text', (_, text, reason) => {
    expect(isObjectJson(text), 'JSON.parse refuses it as an object too').toBe(false);
    let err: unknown;
    try {
      replace(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidSecretError);
    const message = (err as Error).message;
    expect(message).toMatch(reason);
    expect(message).toContain(LABEL);
    expect(message).toContain('SecretData');
    expect(message).not.toContain('S3cret');
    expect(message).not.toContain('12345678');
    expect((err as Error).stack ?? '').not.toContain('S3cret');
  });

  it('scans deeply nested values without overflowing the stack', () => {
    const deep = `{"X": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "AccountName": "appuser", "AccountPassword": "old"}`;
    expect(replace(deep)).toBe(deep.replace('"appuser"', '"appuser_rt"').replace('"old"', '"New-Pw-1"'));
  });
});

// ---- Property-style checks on generated objects ------------------------------------------------------------

/** A small seeded PRNG (mulberry32), so a failure can be reproduced from the seed in the test name. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Slot = { slot: 'AccountName' | 'AccountPassword'; original: string };
type Piece = string | Slot | { insert: true };

class Generator {
  constructor(private readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }

  ws(): string {
    return this.pick(['', '', '', ' ', '\n', '\t', '\r\n', '  ', '\n    ']);
  }

  digits(min: number, max: number): string {
    let out = '';
    for (let i = min + this.int(max - min + 1); i > 0; i--) out += String(this.int(10));
    return out;
  }

  number(): string {
    const sign = this.chance(0.3) ? '-' : '';
    const int = this.chance(0.3) ? '0' : String(1 + this.int(9)) + this.digits(0, 24);
    const frac = this.chance(0.4) ? `.${this.digits(1, 6)}${this.chance(0.5) ? '0' : ''}` : '';
    const exp = this.chance(0.25) ? `${this.pick(['e', 'E'])}${this.pick(['', '+', '-'])}${this.pick(['0', '2', '400', '308', '17'])}` : '';
    return sign + int + frac + exp;
  }

  /** The text of a JSON string for `value`, each UTF-16 unit raw or escaped at random (a pair may be split). */
  spell(value: string): string {
    let out = '"';
    for (let i = 0; i < value.length; i++) {
      const unit = value.charCodeAt(i);
      const hex = unit.toString(16).padStart(4, '0');
      const u = `\\u${this.chance(0.5) ? hex : hex.toUpperCase()}`;
      const short: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };
      if (unit === 0x2f) out += this.chance(0.5) ? '\\/' : '/';
      else if (unit === 0x22 || unit === 0x5c || unit < 0x20) out += this.chance(0.7) ? (short[unit] ?? u) : u;
      else out += this.chance(0.15) ? u : String.fromCharCode(unit);
    }
    return `${out}"`;
  }

  word(): string {
    const chars = ['a', 'Z', '0', ' ', '_', 'é', '😀', '"', '\\', '/', '\n', '\t', '\u0001', '\u2028', '\ud800', '}', ',', ':'];
    let out = '';
    for (let i = this.int(8); i > 0; i--) out += this.pick(chars);
    return out;
  }

  key(): string {
    return this.pick(['10', '2', '1', '0', '-1', '01', 'AccountName', 'AccountPassword', 'accountname', 'Port', this.word(), this.word()]);
  }

  /** A JSON value's text; nested objects may well hold members named AccountName. */
  value(depth: number): string {
    const kind = depth >= 3 ? this.int(4) : this.int(6);
    if (kind === 0) return this.number();
    if (kind === 1) return this.spell(this.word());
    if (kind === 2) return this.pick(['true', 'false', 'null']);
    if (kind === 3) return this.spell(this.pick(['appuser', 'x', '']));
    const items: string[] = [];
    for (let i = this.int(4); i > 0; i--) {
      const value = this.value(depth + 1);
      items.push(
        kind === 4
          ? `${this.ws()}${value}${this.ws()}`
          : `${this.ws()}${this.spell(this.key())}${this.ws()}:${this.ws()}${value}${this.ws()}`,
      );
    }
    const body = items.length === 0 ? this.ws() : items.join(',');
    return kind === 4 ? `[${body}]` : `{${body}}`;
  }

  /** A top-level object as pieces: the account members' values are slots, and the insertion point is marked. */
  object(): { pieces: Piece[]; present: Set<string>; count: number } {
    const pieces: Piece[] = [this.ws(), '{'];
    const present = new Set<string>();
    const count = this.int(7);
    for (let i = 0; i < count; i++) {
      const roll = this.random();
      const name = roll < 0.2 ? 'AccountName' : roll < 0.4 ? 'AccountPassword' : this.key();
      pieces.push(i === 0 ? '' : ',', this.ws(), this.spell(name), this.ws(), ':', this.ws());
      const value = this.value(1);
      if (name === 'AccountName' || name === 'AccountPassword') {
        present.add(name);
        pieces.push({ slot: name, original: value });
      } else pieces.push(value);
      if (i === count - 1) pieces.push({ insert: true });
    }
    if (count === 0) pieces.push(this.ws(), { insert: true });
    else pieces.push(this.ws());
    pieces.push('}', this.ws());
    return { pieces, present, count };
  }
}

function render(pieces: Piece[], fill: (slot: Slot) => string, insert: string): string {
  return pieces.map((p) => (typeof p === 'string' ? p : 'slot' in p ? fill(p) : insert)).join('');
}

describe('replaceAccount on generated objects', () => {
  const passwords = ['Pw-1', 'a"b\\c', '😀\u2028é', '\ud800', '", "x": "'];

  it('changes the two values only, and the result parses to the original with the new account (200 objects)', () => {
    const g = new Generator(prng(20240611));
    for (let round = 0; round < 200; round++) {
      const { pieces, present, count } = g.object();
      const name = g.pick(['appuser_rt', 'appuser']);
      const password = g.pick(passwords);
      const original = render(pieces, (s) => s.original, '');
      JSON.parse(original); // the generator makes only JSON that JSON.parse accepts
      const missing = (['AccountName', 'AccountPassword'] as const)
        .filter((n) => !present.has(n))
        .map((n) => `"${n}": ${JSON.stringify(n === 'AccountName' ? name : password)}`);
      const insert = missing.length === 0 ? '' : (count > 0 ? ', ' : '') + missing.join(', ');
      const expected = render(pieces, (s) => JSON.stringify(s.slot === 'AccountName' ? name : password), insert);

      const result = replaceAccount(original, name, password, LABEL);
      expect(result, `round ${round}: ${original}`).toBe(expected);
      expectReadsBack(original, result, name, password);
    }
  });

  it('accepts exactly the objects JSON.parse accepts (500 one-character mutations)', () => {
    const g = new Generator(prng(7));
    const alphabet = ['{', '}', '[', ']', '"', '\\', ',', ':', '0', '1', '-', '.', 'e', 'u', 't', 'n', ' ', '\u0001'];
    for (let round = 0; round < 500; round++) {
      const original = render(g.object().pieces, (s) => s.original, '');
      const at = g.int(original.length + 1);
      const mutated = g.chance(0.5)
        ? original.slice(0, at) + original.slice(at + 1)
        : original.slice(0, at) + g.pick(alphabet) + original.slice(at);
      const parsedObject = isObjectJson(mutated);
      let accepted = true;
      try {
        replaceAccount(mutated, NAME, PASSWORD, LABEL);
      } catch (err) {
        expect(err, mutated).toBeInstanceOf(InvalidSecretError);
        accepted = false;
      }
      expect(accepted, `round ${round}: ${JSON.stringify(mutated)}`).toBe(parsedObject);
    }
  });
});

function isObjectJson(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}
