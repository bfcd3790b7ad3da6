import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'results/', 'report/', 'coverage/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Type-checked rules for every TypeScript file (src/, tests/, vitest.config.ts): they catch floating
  // promises, unsafe any flows and needless assertions that the untyped set cannot see.
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      // zod's named export `z` is its whole namespace object, locales included: one such import kept
      // 755 KB of zod in the CLI bundle, compiled on every call; namespace imports keep ~195 KB.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Write `import * as z from 'zod'`: the named export z keeps all of zod in the CLI bundle.",
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Test fakes implement Promise-returning interfaces (Transport, sleep, prompts) with async methods
      // that have nothing to await; wrapping each return in Promise.resolve() would only add noise.
      '@typescript-eslint/require-await': 'off',
      // vitest types its asymmetric matchers (expect.stringMatching, expect.any, ...) as `any`, so every
      // `toEqual({ message: expect.stringContaining(...) })` would be reported; the other no-unsafe-* rules stay on.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
