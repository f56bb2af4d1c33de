import { defineConfig } from 'vitest/config';

/**
 * Three tiers (STYLE "Test layout"):
 * - unit: pure TS and app.inject API tests with fakes at the ports; always run, fast.
 * - integration: a real Redis, real BullMQ workers (FakeSandbox or the real one), the service end to end,
 *   and the playground page in a real headless Chromium.
 * - sandbox: the real kernel sandbox, real images, the attack corpus. Needs the native addon built,
 *   user namespaces, a delegated cgroup tree and built images; missing features are visible skips.
 */
export default defineConfig({
  test: {
    // One file at a time: integration and sandbox tests measure time and memory, and this
    // machine has 2 cores; parallel files would turn limits into flakes.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/api/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/worker/**/*.test.ts', 'test/service/**/*.test.ts', 'test/judge/**/*.test.ts', 'test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'sandbox',
          include: ['test/sandbox/**/*.test.ts', 'test/images/**/*.test.ts', 'test/escapes/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
