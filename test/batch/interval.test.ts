// Rotation intervals come from tag values: only whole days or hours are accepted, nothing is guessed.
import { describe, expect, it } from 'vitest';
import { parseInterval } from '../../src/batch/interval.js';

const HOUR = 3_600_000;

describe('parseInterval', () => {
  it.each([
    ['30d', 30 * 24 * HOUR],
    ['12h', 12 * HOUR],
    ['90D', 90 * 24 * HOUR],
    [' 1h ', HOUR],
  ])('reads %s', (text, ms) => {
    expect(parseInterval(text)).toEqual({ ok: true, ms });
  });

  it.each(['30', '30m', 'd30', '1.5d', '', '-1d', '30 days', '0h', '3651d'])('refuses %j with a reason', (text) => {
    const parsed = parseInterval(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/interval such as 30d|shorter than one hour|longer than 3650 days/);
  });
});
