import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The fake Microsoft Graph (tests/support/fake-graph.ts) serves HTTPS with a self-signed certificate,
// as MSAL takes only an https authority. Node reads NODE_EXTRA_CA_CERTS once, at process start, so it
// is set here, before the forked workers start (they inherit this environment): production code
// trusts the usual CAs and carries no test hook.
process.env.NODE_EXTRA_CA_CERTS = fileURLToPath(new URL('./tests/support/tls/localhost-cert.pem', import.meta.url));

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
