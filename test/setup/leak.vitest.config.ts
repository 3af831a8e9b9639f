// Config of the child vitest run in secret-guard.test.ts: only the deliberate leak, under the suite's setup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/setup/leak.fixture.ts'],
    pool: 'forks',
    setupFiles: ['test/setup/secret-guard.ts'],
  },
});
