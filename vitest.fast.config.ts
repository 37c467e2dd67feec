/**
 * The fast tier (`npm run test:fast`): tests named *.fast.test.ts need nothing but Node — no
 * compiler, no cross or host headers, no KVM, no root. `npm test` runs them with all the rest.
 */
import { defineConfig } from 'vitest/config';
import full from './vitest.config.js';

export default defineConfig({
  ...full,
  test: { ...full.test, include: ['test/**/*.fast.test.ts'] },
});
