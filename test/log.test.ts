// Structured logs: one JSON object per line, fixed fields, and protected values masked everywhere.
import { describe, expect, it } from 'vitest';
import { createLogger, SecretMask } from '../src/log.js';

describe('logger', () => {
  it('writes one JSON object per line with base and call fields', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), base: { requestId: 'r1' } }).child({ step: 'set', secret: 'app' });
    log.info('hello', { durationMs: 5 });
    log.warn('careful');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      msg: 'hello',
      requestId: 'r1',
      step: 'set',
      secret: 'app',
      durationMs: 5,
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', msg: 'careful', step: 'set' });
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('masks every protected value, in children too, wherever it appears', () => {
    const lines: string[] = [];
    const mask = new SecretMask();
    const log = createLogger({ sink: (l) => lines.push(l), mask });
    mask.protect('Sup3r-Secret!');
    mask.protect('abc'); // too short to mask without destroying ordinary words
    log.child({ step: 'new' }).error('failed', { errorMessage: 'login with Sup3r-Secret! refused for abc' });
    expect(lines[0]).not.toContain('Sup3r-Secret!');
    expect(JSON.parse(lines[0]!).errorMessage).toBe('login with *** refused for abc');
    expect(mask.apply('x Sup3r-Secret! y Sup3r-Secret!')).toBe('x *** y ***');
  });
});
