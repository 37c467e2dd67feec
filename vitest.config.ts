import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the CommonJS sources (src/**/*.cts: what a replayed run loads) are TypeScript too
  oxc: { include: /\.([mc]?ts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
