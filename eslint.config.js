import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'release/**',
      'node_modules/**',
      'models/data/**',
      'models/runs/**',
      'e2e/artifacts/**',
      'coverage/**',
      '.eval/**',
      'renderer/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Type-aware everywhere there are types: the Node side, the engine, the e2e tests and the
    // renderer, its .svelte files included (their scripts are typed through tsconfig.web.json).
    files: ['electron/**/*.{ts,cts}', 'shared/**/*.ts', 'e2e/**/*.ts', 'renderer/**/*.{ts,svelte}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.test.json', './tsconfig.web.json', './renderer/tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  // After the typed block, so that .svelte files keep the Svelte parser (it hands their scripts to typescript-eslint).
  ...svelte.configs['flat/recommended'],
  {
    files: ['renderer/**/*.{ts,svelte}'],
    languageOptions: {
      globals: { ...globals.browser, process: 'off', require: 'off', __dirname: 'off', Buffer: 'off' },
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // Svelte's own prefer-const knows that `let { a } = $props()` must stay `let`.
    rules: { 'prefer-const': 'off', 'svelte/prefer-const': 'error' },
  },
);
