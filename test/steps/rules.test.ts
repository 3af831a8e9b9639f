// Versions of one rotation must agree on everything but the account.
import { describe, expect, it } from 'vitest';
import { sameExceptAccount } from '../../src/steps/rules.js';

describe('sameExceptAccount', () => {
  const base = { Endpoint: 'h', Port: 3306, AccountName: 'a', AccountPassword: 'p', MasterSecret: 'm', Extra: { x: [1] } };

  it('ignores AccountName, AccountPassword and key order', () => {
    const { Endpoint, ...rest } = base;
    expect(sameExceptAccount(base, { ...rest, AccountName: 'a_rt', AccountPassword: 'q', Endpoint })).toBe(true);
  });

  it.each([
    ['Endpoint', { Endpoint: 'other' }],
    ['Port as a string', { Port: '3306' }],
    ['MasterSecret', { MasterSecret: 'n' }],
    ['a nested field', { Extra: { x: [2] } }],
    ['an added field', { DBName: 'd' }],
  ])('notices a different %s', (_, change) => {
    expect(sameExceptAccount(base, { ...base, ...change })).toBe(false);
  });
});
