// Builds dist/index.js: one CommonJS file with every dependency inside (CONTRACT: Build and entry point).
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/handler.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Error class names are the errorType CloudFlow's Retry/Catch rules match: never mangle them.
  keepNames: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// The package is ESM ("type": "module"); this marks the bundle as CommonJS for Node and for FC.
await writeFile('dist/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
