// Unit tests for the DOM-free modules (locate, diagnostics); the browser test covers the rest.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: ['default']
  }
});
