// The alternating pair's naming, shared by every backend.
import { describe, expect, it } from 'vitest';
import { accountFromSecret, alternateOf } from '../../src/backends/backend.js';

describe('alternateOf', () => {
  it.each([
    ['appuser', 'appuser_rt'],
    ['appuser_rt', 'appuser'],
    ['a', 'a_rt'],
    // A name that is only the suffix is not the alternate of the empty name.
    ['_rt', '_rt_rt'],
    ['app_rt_rt', 'app_rt'],
  ])('%s ⇄ %s', (name, alternate) => {
    expect(alternateOf(name)).toBe(alternate);
  });

  it('alternates back to the start, never growing', () => {
    let name = 'appuser';
    for (let i = 0; i < 6; i++) name = alternateOf(name);
    expect(name).toBe('appuser');
  });
});

describe('accountFromSecret', () => {
  it('maps the shared secret fields onto an Account', () => {
    expect(accountFromSecret({ AccountName: 'u', AccountPassword: 'p', Endpoint: 'h', Port: 3307, SSL: true, DBName: 'd' })).toEqual({
      user: 'u',
      password: 'p',
      endpoint: 'h',
      port: 3307,
      ssl: true,
      database: 'd',
    });
  });
});
