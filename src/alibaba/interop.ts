/**
 * The Alibaba SDKs are TypeScript compiled to CommonJS with the client as `exports.default`.
 * Node's ESM loader (and esbuild in node mode, and TypeScript's nodenext types) hand that over
 * as `ns.default.default`; Vite/vitest as `ns.default`. This picks the class whichever loaded it;
 * it must never construct a client or touch credentials.
 */
export function sdkClass<T>(ns: { default: { default: T } }): T {
  const first: unknown = ns.default;
  if (typeof first === 'function') return first as T;
  return (first as { default: T }).default;
}
