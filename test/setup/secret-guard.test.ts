// The leak guard itself: the scanner finds a registered secret raw, JSON-escaped and URL-encoded and
// nothing else; the hooks register what src/local reports; a child vitest run whose test writes a
// registered password fails, naming the file and the count, without printing the password.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KmsState } from '../../src/local/emulators/kms/state.js';
import { samplePassword } from '../../src/local/fixtures/mysql-sandbox.js';
import { LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import { countLeakedSecrets, registeredSecrets, secretForms } from '../support/secret-registry.js';

// Built at run time and never registered, so this file's own output cannot trip the guard.
const tricky = () => `Pw"\\/+ &%é${randomBytes(4).toString('hex')}`;

describe('secret scanner', () => {
  it('finds a secret raw, JSON-escaped, URL-encoded (component and form) and JSON-in-JSON', () => {
    const secret = tricky();
    const forms = [
      secret,
      JSON.stringify({ AccountPassword: secret }),
      `https://x/?p=${encodeURIComponent(secret)}`,
      new URLSearchParams({ AccountPassword: secret }).toString(),
      JSON.stringify({ line: JSON.stringify({ AccountPassword: secret }) }),
    ];
    expect(forms.slice(1).some((f) => f.includes(secret))).toBe(false); // the other forms are not raw
    for (const text of forms) expect(countLeakedSecrets(`before ${text} after`, [secret]), text).toBe(1);
    expect(secretForms(secret).length).toBeGreaterThanOrEqual(4);
  });

  it('counts distinct secrets, not occurrences, and ignores unrelated text', () => {
    const [a, b, c] = [tricky(), tricky(), tricky()];
    expect(countLeakedSecrets(`${a} ${a} ${encodeURIComponent(b)}`, [a, b, c])).toBe(2);
    expect(countLeakedSecrets('{"AccountPassword":"******","level":"info"} Pw +&', [a, b, c])).toBe(0);
    expect(countLeakedSecrets(a.slice(0, -1), [a])).toBe(0);
  });

  it('learns stored SecretData passwords, sandbox passwords and the test credentials', () => {
    const stored = `Stored-${randomBytes(6).toString('hex')}`;
    new KmsState().createSecret({ SecretName: 's', VersionId: 'v1', SecretData: JSON.stringify({ AccountPassword: stored }) });
    const sample = samplePassword();
    const known = registeredSecrets();
    expect(known).toContain(stored);
    expect(known).toContain(sample);
    expect(known).toContain(LOCAL_CREDENTIALS.accessKeySecret);
  });
});

describe('secret guard in a child vitest run', () => {
  it('fails the file that leaks registered passwords, naming it and the count, never a password', async () => {
    // Without '"' and '\\': the console leak is JSON-escaped, so its raw form must not appear either.
    const passwords = [tricky(), tricky(), tricky()].map((p) => p.replace(/["\\]/g, '_').replace('Pw', 'Pw"'));
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/setup/leak.vitest.config.ts'],
        { env: { ...process.env, LEAK_GUARD_PASSWORDS: passwords.join('\n'), CI: '1', NO_COLOR: '1' }, timeout: 60_000 },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, output: `${stdout}\n${stderr}` }),
      );
    });
    expect(code).not.toBe(0);
    expect(output).toContain('Secret leak guard: test/setup/leak.fixture.ts wrote 3 distinct registered secrets');
    expect(output).toContain(encodeURIComponent(passwords[0] ?? '')); // the deliberate leaks themselves
    expect(output).toContain(JSON.stringify(passwords[1]).slice(1, -1));
    for (const p of passwords) expect(output.includes(p)).toBe(false); // nothing printed one raw
  }, 60_000);
});
