// ESLint guards the process-role boundaries of ../shared/house-style.md; `npm run lint` runs it.
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group, message, allowTypeImports: true })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', '.venv/**', '.data/**', '.scratch/**', 'lib/**', 'coverage/**', 'test-results/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The workflow sandbox: deterministic code only. Types from elsewhere are fine; values are not.
    files: ['workflows/**/*.ts'],
    rules: {
      ...restrict(
        [
          ['../config/*', '../api/*', '../worker/*', '../planning/*', '../cli/*', '../scripts/*'],
          ['pg', 'nodemailer', 'luxon', 'date-holidays', 'fastify', 'zod'],
          ['node:*', 'fs', 'path', 'crypto', 'child_process', 'http', 'https', 'net', 'os'],
          ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
          ['../activities', '../activities/*'],
        ],
        'workflow code must stay deterministic: no I/O, no clock, no config; import only types from outside workflows/',
      ),
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use sleep() or condition() from @temporalio/workflow' }, { name: 'setInterval', message: 'use sleep() in a loop' }, { name: 'process', message: 'no environment in workflows' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'use uuid4() or workflow randomness from @temporalio/workflow' }],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: restrict([['@temporalio/workflow', '../api/*', '../../api/*', '../worker/*', '../../worker/*', '../cli/*', '../../cli/*']], 'activities never import workflow, API or worker code'),
  },
  {
    files: ['api/**/*.ts'],
    rules: restrict([['@temporalio/worker', '../activities/email/*', '../activities/index', '../activities/*-activities']], 'the API talks to workflows through the client, never to activity functions or the worker'),
  },
  {
    files: ['config/**/*.ts'],
    rules: restrict([['../*', '!./*', 'pg', 'nodemailer', 'luxon', '@temporalio/*', 'node:*']], 'config holds schemas only (zod)'),
  },
);
