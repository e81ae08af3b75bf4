import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What the pure core may not import: I/O, the clock's and randomness's modules, the edges. */
const domainBanned = ['fs', 'node:*', 'crypto', 'http', 'better-sqlite3', 'express'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bin/**',
      'docs/**',
      '*.config.js',
      '*.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      // The pure core: no I/O, no clock, no randomness. They are passed in.
      'no-restricted-imports': ['error', { patterns: [...domainBanned, '../*'] }],
      'no-restricted-globals': ['error', 'Date', 'process', 'fetch'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random' }],
    },
  },
  {
    // A room of the domain (domain/verify/) imports the rest of the domain as ../x; outside it is ../../x.
    files: ['src/domain/*/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...domainBanned, '../../*'] }],
    },
  },
);
