import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Child-process and loopback tests are real; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Finds the PostgreSQL server once, for tests/postgres (which skip, and say so, without one).
    globalSetup: ['tests/support/postgres-setup.ts'],
  },
});
