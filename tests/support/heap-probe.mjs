// Test-only preload for a server child process: `node --expose-gc --import ./tests/support/heap-probe.mjs …`.
// On SIGUSR2 it collects garbage and prints the heap still in use, so a test can watch the real server's
// memory without the server having a debug hook of its own.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  process.stdout.write(`heapUsed=${process.memoryUsage().heapUsed}\n`);
});
