// Retry arithmetic and rule matching, on their own: the delays a rule asks for and which rule applies.
import { describe, expect, it } from 'vitest';
import type { RetryRule } from '../../../src/local/cloudflow/definition.js';
import { firstMatching, retryDelayMs } from '../../../src/local/cloudflow/retry.js';

const rule = (fields: Partial<RetryRule>): RetryRule => ({
  Errors: ['E'],
  Description: 'd',
  MaxAttempts: 10,
  IntervalSeconds: 2,
  ...fields,
});

describe('retryDelayMs', () => {
  it('multiplies IntervalSeconds by BackoffRate for each retry after the first, up to MaxBackoffSeconds', () => {
    const r = rule({ BackoffRate: 2, MaxBackoffSeconds: 20 });
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(r, n))).toEqual([2000, 4000, 8000, 16000, 20000, 20000]);
  });

  it('keeps the interval constant without BackoffRate', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(rule({ IntervalSeconds: 3 }), n))).toEqual([3000, 3000, 3000]);
  });

  it('handles fractional rates', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(rule({ IntervalSeconds: 1, BackoffRate: 1.5 }), n))).toEqual([1000, 1500, 2250]);
  });
});

describe('firstMatching', () => {
  const rules = [rule({ Errors: ['A'] }), rule({ Errors: ['FnF.ALL'] }), rule({ Errors: ['B'] })];

  it('picks the first rule naming the code, or FnF.ALL', () => {
    expect(firstMatching(rules, 'A')?.index).toBe(0);
    expect(firstMatching(rules, 'B')?.index).toBe(1);
  });

  it('matches nothing without rules or without a matching one', () => {
    expect(firstMatching(undefined, 'A')).toBeUndefined();
    expect(firstMatching([rule({ Errors: ['A'] })], 'a')).toBeUndefined();
  });
});
