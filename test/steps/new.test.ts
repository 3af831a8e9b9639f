// Step `new` on the in-memory store and the scripted backend: every branch, no database.
import { describe, expect, it } from 'vitest';
import { newStep } from '../../src/steps/new.js';
import { appSecret, SECRET, stepHarness } from '../support/step-context.js';

describe('newStep', () => {
  it('stages the alternate account with a fresh password as ACSPending under the requestId', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    const result = await newStep(h.context(undefined));
    expect(result).toEqual({ Step: 'new', Backend: 'mysql', AccountName: 'appuser_rt', VersionId: 'request-1' });
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], 'request-1': ['ACSPending'] });
    const staged = h.store.dataOf(SECRET, 'request-1')!;
    expect(staged).toEqual({ ...appSecret(), AccountName: 'appuser_rt', AccountPassword: expect.any(String) });
    expect(staged['AccountPassword']).not.toBe('Current-Password-1');
    expect(String(staged['AccountPassword'])).toHaveLength(32);
    expect(h.logs.join('\n')).not.toContain(String(staged['AccountPassword']));
  });
});
