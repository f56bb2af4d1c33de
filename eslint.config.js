// Lint rules that keep the architecture honest (STYLE "Which way dependencies point").
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'native/build/**', 'bench/k6/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The API owns the wire only: it may import the queue contract and nothing else of the worker.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/worker/*', '!**/worker/contract', '**/worker/sandbox/**', '**/worker/judge/**', '**/native/**'],
          message: 'api/ may import only worker/contract/.' },
      ]),
    },
  },
  {
    // The contract is shared by both processes; it depends on nothing but typebox.
    files: ['worker/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['../*', '!./*', 'fastify', 'bullmq', 'ioredis', 'pino', 'node:*'],
          message: 'worker/contract imports only typebox and its own files.' },
      ]),
    },
  },
  {
    // Only the native sandbox adapter talks to the addon.
    files: ['api/**/*.ts', 'worker/**/*.ts', 'images/**/*.ts'],
    ignores: ['worker/sandbox/native-sandbox.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/native/*', '**/native/index.js'], message: 'Only worker/sandbox/native-sandbox.ts imports native/.' },
      ]),
    },
  },
  {
    // Configuration is read from the environment in exactly two places (and CLI entry points).
    files: ['api/**/*.ts', 'worker/**/*.ts', 'native/**/*.ts'],
    ignores: ['api/config.ts', 'worker/config.ts', '**/cli.ts', 'worker/doctor.ts', 'worker/host-setup.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in config.ts only.' }],
    },
  },
);
