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
      // The clock, the network, the environment, and (the WebCrypto global) randomness and hashing, which the
      // browser and Node both expose without an import; performance.now is a clock; timers schedule work.
      'no-restricted-globals': [
        'error',
        'Date',
        'process',
        'fetch',
        'crypto',
        'performance',
        'setTimeout',
        'setInterval',
        'setImmediate',
        'clearTimeout',
        'clearInterval',
        'queueMicrotask',
      ],
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
  {
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      // The edges reach the database only through the services, or (the CLI) through src/compose.ts: a route
      // or a command that opened the store itself could write the journal past the one journal writer. Types
      // may still be imported (a row's shape, Role).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)store(/|$)',
              allowTypeImports: true,
              message: 'http/ and cli/ reach the store through the services or src/compose.ts.',
            },
          ],
          paths: [
            {
              name: 'better-sqlite3',
              allowTypeImports: true,
              message: 'http/ and cli/ reach the database through the services or src/compose.ts.',
            },
          ],
        },
      ],
    },
  },
);
