/**
 * The lexical layer of SHOW GRANTS lines: tokens with their source offsets and parenthesis depth,
 * and a cursor over them. Knows no grant syntax. It must never copy a token's text into an error:
 * MariaDB prints the password hash on the `GRANT USAGE ON *.*` line.
 */

export type Token = {
  readonly kind: 'word' | 'number' | 'quoted' | 'punct';
  /** Raw text; for quoted tokens including the quotes. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Parenthesis depth the token sits at (the parentheses themselves count as the outer depth). */
  readonly depth: number;
};

/** Thrown inside this module; the caller turns it into an error naming only the kind of line. */
export class Unparseable extends Error {}

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '`' || c === '"' || c === "'") {
      i = endOfQuoted(line, i);
      tokens.push({ kind: 'quoted', text: line.slice(start, i), start, end: i, depth });
    } else if (/[0-9]/.test(c)) {
      const m = /^\d+(?:\.\d+)?(?![A-Za-z0-9_$])/.exec(line.slice(i));
      if (m) {
        i += m[0].length;
        tokens.push({ kind: 'number', text: m[0], start, end: i, depth });
      } else {
        i = endOfWord(line, i);
        tokens.push({ kind: 'word', text: line.slice(start, i), start, end: i, depth });
      }
    } else if (/[A-Za-z_$]/.test(c)) {
      i = endOfWord(line, i);
      tokens.push({ kind: 'word', text: line.slice(start, i), start, end: i, depth });
    } else if (c === '(') {
      tokens.push({ kind: 'punct', text: c, start, end: ++i, depth });
      depth++;
    } else if (c === ')') {
      if (depth === 0) throw new Unparseable('unbalanced parentheses');
      depth--;
      tokens.push({ kind: 'punct', text: c, start, end: ++i, depth });
    } else if (c === ',' || c === '.' || c === '@' || c === '*') {
      tokens.push({ kind: 'punct', text: c, start, end: ++i, depth });
    } else {
      // `;`, `=`, `-`, ... never appear outside quotes in SHOW GRANTS output.
      throw new Unparseable('an unexpected character outside quotes');
    }
  }
  if (depth !== 0) throw new Unparseable('unbalanced parentheses');
  return tokens;
}

function endOfWord(line: string, i: number): number {
  while (i < line.length && /[A-Za-z0-9_$]/.test(line[i] as string)) i++;
  return i;
}

/**
 * Backticks and double quotes (identifiers under ANSI_QUOTES) escape only by doubling; single
 * quotes also take backslash escapes.
 */
function endOfQuoted(line: string, open: number): number {
  const q = line[open];
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (q === "'" && c === '\\') {
      i++;
      continue;
    }
    if (c !== q) continue;
    if (line[i + 1] === q) {
      i++;
      continue;
    }
    return i + 1;
  }
  throw new Unparseable('unterminated quoted text');
}

export function unquote(token: Token): string {
  if (token.kind !== 'quoted') return token.text;
  const q = token.text[0] as string;
  const body = token.text.slice(1, -1);
  if (q !== "'") return body.replaceAll(q + q, q);
  return body.replace(/''|\\(.)/gs, (m: string, esc: string | undefined) => {
    if (m === "''") return "'";
    switch (esc) {
      // MySQL keeps the backslash of \% and \_ (they are LIKE escapes, not string escapes).
      case '%':
      case '_':
        return '\\' + esc;
      case '0':
        return '\0';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'b':
        return '\b';
      case 'Z':
        return '\x1a';
      default:
        return esc ?? '';
    }
  });
}

/** A read position in one line's tokens; the parser's only way to look at them. */
export class Cursor {
  i = 0;
  constructor(
    readonly line: string,
    readonly tokens: readonly Token[],
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  atWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.depth === 0 && t.text.toUpperCase() === word;
  }
  atPunct(p: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === p;
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new Unparseable('the line ends early');
    return t;
  }
  expectWord(word: string): void {
    if (!this.atWord(word)) throw new Unparseable(`${word} expected`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  /** Index of the first depth-0 word `word` at or after the cursor, or -1. */
  find(word: string): number {
    for (let j = this.i; j < this.tokens.length; j++) {
      const t = this.tokens[j] as Token;
      if (t.kind === 'word' && t.depth === 0 && t.text.toUpperCase() === word) return j;
    }
    return -1;
  }
  /** The original text of tokens [from, to). */
  slice(from: number, to: number): string {
    const first = this.tokens[from];
    const last = this.tokens[to - 1];
    if (!first || !last || to <= from) throw new Unparseable('an empty clause');
    return this.line.slice(first.start, last.end);
  }
}
