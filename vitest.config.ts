import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests share one MariaDB and two cores; each test names its own users and databases.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Fails a file whose stdout/stderr shows a registered password or credential (test/setup/secret-guard.ts).
    setupFiles: ['test/setup/secret-guard.ts'],
  },
});
