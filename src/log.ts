/**
 * Structured logs: one JSON object per line, a fixed set of named fields.
 * There is deliberately no field that can hold a password, SecretData or a connection string,
 * and every value the invocation has marked secret is masked from the whole line as a last guard.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  step?: string;
  secret?: string;
  versionId?: string;
  backend?: string;
  durationMs?: number;
  account?: string;
  host?: string;
  port?: number;
  tls?: boolean;
  check?: string;
  outcome?: string;
  stage?: string;
  count?: number;
  errorName?: string;
  errorMessage?: string;
  /** Stack frames only (`at ...` lines), never an error message. */
  frames?: string;
  requestId?: string;
  /** discover: the tag it looks for and what it found. */
  tagKey?: string;
  tagged?: number;
  due?: number;
  notDue?: number;
  problems?: number;
  /** report: a Map's outcome. */
  rotated?: number;
  failed?: number;
  /** KMS and RDS calls answered with throttling and retried inside this invocation (src/alibaba/throttle.ts). */
  throttled?: number;
}

export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Values that must never appear in output; shared by a logger and its children. */
export class SecretMask {
  private readonly values = new Set<string>();

  protect(value: string | undefined): void {
    // Shorter values would mask ordinary words. Nothing logs a password by construction; this is the second guard.
    if (value === undefined || value.length < 4) return;
    this.values.add(value);
    // Lines are JSON: a password with a quote or a backslash appears there escaped.
    this.values.add(JSON.stringify(value).slice(1, -1));
  }

  apply(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join('***');
    }
    return out;
  }
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
};

export function createLogger(options: { sink?: LogSink; mask?: SecretMask; base?: LogFields; debug?: boolean } = {}): Logger {
  const sink = options.sink ?? stdoutSink;
  const mask = options.mask ?? new SecretMask();
  const base = options.base ?? {};
  const debug = options.debug ?? false;
  const write = (level: Level, msg: string, fields?: LogFields): void => {
    const record = { time: new Date().toISOString(), level, msg, ...base, ...fields };
    sink(mask.apply(JSON.stringify(record)));
  };
  return {
    debug: (msg, fields) => {
      if (debug) write('debug', msg, fields);
    },
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ sink, mask, debug, base: { ...base, ...fields } }),
  };
}
