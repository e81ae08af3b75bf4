/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The slow suite (crashes, fuzzing, backups under load) runs with `npm run test:slow`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/slow/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 30000,
  // Says once why the e2e suite is skipped when there is no Chromium (test/e2e/browser.ts).
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
};
