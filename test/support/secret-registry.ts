/**
 * The leak guard's registry and scanner: every password the emulators stored or the fixtures
 * generated, and the test context's credentials, kept in this worker's memory only; and the scan
 * that counts which of them appear in captured output, raw, JSON-escaped or URL-encoded.
 *
 * src/local code reports to it through a global hook (`reportTestSecret` below is the same few
 * lines, copied where they are used): a function under `Symbol.for(SECRET_HOOK)` on globalThis. Only
 * test/setup/secret-guard.ts installs it, so outside the suite the hook is absent and reporting is a
 * no-op; nothing under src/local is bundled into the function (test/layout.test.ts).
 */

/** The globalThis key (via Symbol.for) of the registration hook. */
export const SECRET_HOOK = 'fc-secret-rotation.test.secret-seen';

/**
 * What the hook receives: `password` is one password (or credential) as is; `secret-data` is a KMS
 * SecretData whose password fields, if it is a JSON object, are registered.
 */
export type SecretKind = 'password' | 'secret-data';

/** Shorter values are not registered: they would match ordinary words and numbers in test output. */
export const MIN_SECRET_LENGTH = 8;

const registry = new Set<string>();

/** Registers one secret value; values shorter than MIN_SECRET_LENGTH or not strings are ignored. */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) registry.add(value);
}

/** Registers the password fields (any key containing "password", any case) of a SecretData JSON object, Base64 or not. */
export function registerSecretData(data: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    // SecretDataType binary: Base64 of the text, which may be a JSON object too.
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return;
    try {
      parsed = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    } catch {
      return;
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return;
  for (const [key, value] of Object.entries(parsed)) if (/password/i.test(key)) registerSecret(value);
}

/** The hook src/local calls (through globalThis) and the setup installs. */
export function onSecretSeen(kind: SecretKind, value: string): void {
  if (kind === 'secret-data') registerSecretData(value);
  else registerSecret(value);
}

/** Installs the hook for this process; returns a function removing it again. */
export function installSecretHook(): () => void {
  const key = Symbol.for(SECRET_HOOK);
  const slot = globalThis as Record<symbol, unknown>;
  slot[key] = onSecretSeen;
  return () => {
    if (slot[key] === onSecretSeen) delete slot[key];
  };
}

/** A copy of everything registered so far in this process. */
export function registeredSecrets(): string[] {
  return [...registry];
}

/** The forms a secret may take in output: raw, inside a JSON string, URL-encoded (component and form). */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  // JSON inside JSON (a log line quoted in another log line): backslashes and quotes escaped twice.
  forms.add(JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
  return [...forms];
}

/** How many distinct secrets appear in `text` in any of their forms. Never returns which. */
export function countLeakedSecrets(text: string, secrets: Iterable<string> = registry): number {
  let leaked = 0;
  for (const secret of secrets) if (secretForms(secret).some((form) => text.includes(form))) leaked += 1;
  return leaked;
}
