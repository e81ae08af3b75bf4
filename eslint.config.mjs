import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
      'no-restricted-imports': [
        'error',
        { patterns: ['fs', 'node:*', 'crypto', 'http', 'better-sqlite3', 'express', '../*'] },
      ],
      'no-restricted-globals': ['error', 'Date', 'process', 'fetch'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random' }],
    },
  },
  {
    // A folder of the core (domain/input/) imports the core one level up, and nothing beyond it.
    files: ['src/domain/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['fs', 'node:*', 'crypto', 'http', 'better-sqlite3', 'express', '../../*'] },
      ],
    },
  },
);
