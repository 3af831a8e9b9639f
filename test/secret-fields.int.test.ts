// End to end through the real KMS SDK and MariaDB: every field other than the account keeps its exact text
// across rotations (big integers, 1e400, 1.10, integer-like keys, escapes, whitespace), not just its parsed value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fixture } from './support/fixture.js';

describe('SecretData text across rotations', () => {
  let fx: Fixture;
  /** The seeded SecretData with the given account: the only two values a rotation may change. */
  let secretText: (accountName: string, accountPassword: string) => string;

  beforeAll(async () => {
    fx = await Fixture.start();
    const s = fx.appSecret();
    const q = (v: unknown): string => JSON.stringify(v);
    secretText = (accountName, accountPassword) =>
      `{\n  "10": "a", "2": "b",\n  "Endpoint": ${q(s.Endpoint)}, "Port": ${q(s.Port)},\n` +
      `  "AccountName" : ${q(accountName)},\n  "AccountPassword":\t${q(accountPassword)},\n` +
      `  "MasterSecret": ${q(s.MasterSecret)}, "SSL": false, "DBName": ${q(s.DBName)},\n` +
      `  "Big": 12345678901234567890, "Ratio": 1.10, "Zero": -0.0, "Huge": 1e400,\n` +
      `  "Note": "caf\\u00e9 \\/ \\ud83d\\ude00", "Owner": {"AccountName": "someone-else", "1": [1.50, 2E+3]}\n}\n`;
    await fx.seed(secretText(s.AccountName, s.AccountPassword));
  });
  afterAll(async () => fx?.stop());

  it('changes only the AccountName and AccountPassword values in the text of each new version', async () => {
    const base = fx.sandbox.app.user;
    const texts: string[] = [];
    for (const expectedName of [`${base}_rt`, base]) {
      const runs = await fx.rotate();
      expect(runs.map((r) => r.step)).toEqual(['new', 'set', 'test', 'end']);
      expect(runs.some((r) => r.result.Skipped)).toBe(false);

      const current = await fx.store.find(fx.secretName, { stage: 'ACSCurrent' });
      expect(current).toBeDefined();
      const parsed = JSON.parse(current!.data) as { AccountName: string; AccountPassword: string };
      expect(parsed.AccountName).toBe(expectedName);
      // The text is the seeded one byte for byte, with only the new account's two values in it. The password is
      // put back as a placeholder first, so that a failure's diff never prints it.
      const masked = current!.data.split(JSON.stringify(parsed.AccountPassword)).join('"<password>"');
      expect(masked).toBe(secretText(parsed.AccountName, '<password>'));
      expect(await fx.login(parsed)).toBe('hello');
      texts.push(current!.data);
    }
    expect(texts[0]).not.toBe(texts[1]);
    expect((await fx.store.find(fx.secretName, { stage: 'ACSPrevious' }))?.data).toBe(texts[0]);
  });
});
