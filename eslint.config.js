// ESLint flat config. Errors are for real bugs (floating promises, misused promises, unused
// code, unsafe calls); layout is Prettier's job (`prettier --check .` runs beside eslint).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', '.cache/', 'node_modules/', 'coverage/', '.gitlab-ci-local/', 'schemas/', '**/*.d.ts'],
  },

  // Plain JavaScript (this file, jest.config.js, scripts/*.mjs): no type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
  },

  // TypeScript: type-aware rules, so a forgotten `await` on a delivery is an error.
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The bugs we care most about: a delivery nobody awaits, a promise passed where a callback belongs.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',

      // Platform answers and user YAML/JSON are `unknown` until zod parses them; these rules flag
      // every step of that narrowing and add noise without finding bugs here.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Channel.send is async by contract even when a channel has nothing to await (dry run).
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // `any` needs a reason: the one sanctioned place is the channel registry
      // (`// eslint-disable-next-line @typescript-eslint/no-explicit-any` on that line).
      '@typescript-eslint/no-explicit-any': 'error',
      // Loggers and platforms are closures over their state, never classes that use `this`, so
      // passing `log.warn` along is the idiom here, not a bug.
      '@typescript-eslint/unbound-method': 'off',
      // Harmless leftovers while code is being written; not bugs.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },

  // What the bundle loads at every start is measured (`npm run bench`): zod's module graph alone
  // costs ~10 ms, so channel options use the zod-compatible subset in src/channels/schema.ts; and a
  // \p{…} class in a regex literal costs V8 an ICU table lookup when the file is parsed (~7 M
  // instructions each), so such patterns are built with `new RegExp` on first use.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[regex.pattern=/\\\\[pP]\\{/]',
          message:
            'A \\p{…} class in a regex literal is checked against ICU when the file is parsed (~7 M instructions): build it with new RegExp on first use.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'zod',
              message:
                "import { z } from './schema.js' (src/channels/schema.ts): the same API, without zod's start-up cost",
            },
          ],
        },
      ],
    },
  },

  // Tests: jest globals; `expect(obj.method)` and loose fixtures are normal there.
  {
    files: ['__tests__/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
