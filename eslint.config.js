// Lint rules that keep the architecture honest (STYLE "Which way dependencies point").
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ['error', { patterns }];
// Each file gets ONE no-restricted-imports rule (a later block would replace an earlier one), so
// the groups are named here and combined per folder below.
const API_ONLY_CONTRACT = {
  group: ['**/worker/*', '!**/worker/contract', '**/worker/*/**', '!**/worker/contract/**'],
  message: 'api/ may import only worker/contract/.',
};
const CONTRACT_PACKAGES = ['fastify', 'bullmq', 'ioredis', 'pino', 'node:*', '!node:net'];
const CONTRACT_ONLY_TYPEBOX = {
  // node:net for its pure address parsing (isIP, BlockList: no sockets) in public-address.ts.
  group: ['../*', ...CONTRACT_PACKAGES],
  message: 'worker/contract imports only typebox, node:net (address parsing) and its own files.',
};
// A room of the contract (settings/) may import the contract's own files one level up.
const CONTRACT_ROOM_ONLY_TYPEBOX = { ...CONTRACT_ONLY_TYPEBOX, group: ['../../*', ...CONTRACT_PACKAGES] };
const NO_NATIVE = {
  group: ['**/native/*', '**/native/index.js'],
  message: 'Only worker/sandbox/native-sandbox.ts imports native/.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'native/build/**', 'bench/k6/**', 'api/playground/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The API owns the wire only: it may import the queue contract and nothing else of the worker.
    files: ['api/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([API_ONLY_CONTRACT, NO_NATIVE]) },
  },
  {
    // The playground runs in the browser: no Node built-ins or server packages, and of the worker
    // only the contract's types (erased by the bundler), so the page stays a plain API client.
    files: ['api/playground/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fastify', '@fastify/*', 'bullmq', 'ioredis', 'pino', 'typebox', 'typebox/*'], message: 'The playground runs in the browser.' },
          { group: ['**/worker/**', '**/native/**', '../*', '../../*'], allowTypeImports: true, message: 'The playground imports only types from worker/contract/.' },
        ],
      }],
    },
  },
  {
    // The contract is shared by both processes; it depends on nothing but typebox (and node:net's parsers).
    files: ['worker/contract/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([CONTRACT_ONLY_TYPEBOX, NO_NATIVE]) },
  },
  {
    files: ['worker/contract/*/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([CONTRACT_ROOM_ONLY_TYPEBOX, NO_NATIVE]) },
  },
  {
    // Only the native sandbox adapter talks to the addon.
    files: ['worker/**/*.ts', 'images/**/*.ts', 'bench/**/*.ts'],
    ignores: ['worker/contract/**', 'worker/sandbox/native-sandbox.ts'],
    rules: { 'no-restricted-imports': restrict([NO_NATIVE]) },
  },
  {
    // Configuration is read from the environment in exactly two places (and CLI entry points).
    files: ['api/**/*.ts', 'worker/**/*.ts', 'native/**/*.ts'],
    ignores: ['api/config.ts', 'worker/config.ts', 'api/main.ts', 'worker/main.ts', '**/cli.ts', 'worker/doctor.ts', 'worker/host-setup.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in config.ts only.' }],
    },
  },
);
