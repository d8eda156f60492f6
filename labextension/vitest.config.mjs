// Unit tests for the modules that need no JupyterLab (locate, diagnostics, dotguard, and svgsafe
// under jsdom, chosen per file with `// @vitest-environment jsdom`); the browser tests cover the rest.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: ['default']
  }
});
