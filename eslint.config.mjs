// ESLint guards the layers of ../shared/house-style.md for every folder; `npm run lint` (part of `npm test`) runs it,
// so a wrong import fails the tests. The README's "Architecture" section explains the table.
import tseslint from 'typescript-eslint';

/** Every top-level folder with code. */
const FOLDERS = ['config', 'domain', 'texts', 'security', 'planning', 'workflows', 'activities', 'temporal', 'application', 'mailbox', 'worker', 'api', 'cli', 'scripts', 'bench', 'tests'];

/**
 * What each folder may import from the others: `values` freely, `types` only as `import type`, `messages` the
 * signal/update/query definitions of a workflow (a client of a workflow needs its definitions). Every other folder is
 * refused; `refusedPackages` names the npm packages (and Node built-ins) it may not use.
 */
const LAYERS = {
  config: { values: ['texts'], refusedPackages: '^(?!\\.|zod$)' },
  domain: { values: [], types: ['config'], refusedPackages: '^(?!\\.)' },
  texts: { values: [], types: ['domain'], refusedPackages: '^(?!\\.|luxon$)' },
  security: { values: [], refusedPackages: '^(?!\\.|node:)' },
  planning: { values: ['config', 'domain', 'texts'] },
  workflows: { values: ['domain'], types: ['config', 'activities'], refusedPackages: '^(?!\\.|@temporalio/(workflow|common)$)' },
  activities: { values: ['config', 'domain', 'texts', 'security'], types: ['workflows'], messages: ['workflows'], refusedPackages: '^@temporalio/(workflow|worker|testing)$' },
  temporal: { values: ['config', 'domain', 'activities'], types: ['workflows'] },
  application: { values: ['config', 'domain', 'texts', 'planning', 'security', 'activities', 'temporal', 'workflows'] },
  mailbox: { values: ['config', 'texts', 'activities'], refusedPackages: '^@temporalio/' },
  worker: { values: ['config', 'domain', 'security', 'activities', 'temporal'] },
  api: {
    values: ['config', 'domain', 'texts', 'planning', 'security', 'activities', 'application', 'temporal'],
    types: ['workflows'],
    refusedPackages: '^@temporalio/(worker|workflow|activity|testing)$',
    // The API reads and writes through repositories and the application layer: no activity functions, no worker.
    also: [{ regex: '^(\\.\\./)+activities(/(email|index|[a-z-]+-activities)|$)' }, { regex: '^(\\.\\./)+temporal/(worker-factory|runtime|binaries)' }],
  },
  cli: { values: ['config', 'domain', 'texts', 'planning', 'security', 'activities', 'temporal', 'application'], types: ['workflows'] },
  scripts: { values: FOLDERS.filter((f) => f !== 'scripts') },
  bench: { values: FOLDERS.filter((f) => f !== 'bench') },
  tests: { values: FOLDERS.filter((f) => f !== 'tests') },
};

const folderRegex = (names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;

function boundaries(folder) {
  const layer = LAYERS[folder];
  const values = new Set([folder, ...layer.values]);
  const types = (layer.types ?? []).filter((f) => !values.has(f));
  const messages = new Set(layer.messages ?? []);
  const refused = FOLDERS.filter((f) => !values.has(f) && !types.includes(f));
  const because = `${folder}/ may import ${[...values].filter((f) => f !== folder).join(', ') || 'no other folder'}${types.length ? `, and types from ${types.join(', ')}` : ''} (see the README's Architecture)`;
  const patterns = [];
  if (refused.length) patterns.push({ regex: folderRegex(refused), message: because });
  for (const f of types) {
    patterns.push({
      regex: folderRegex([f]),
      allowTypeImports: true,
      ...(messages.has(f) ? { importNamePattern: '^(?!.*(Signal|Update|Query)$)', message: `${because}; from ${f}/ only types and message definitions` } : { message: because }),
    });
  }
  if (layer.refusedPackages) patterns.push({ regex: layer.refusedPackages, message: `${folder}/ may not use this package or built-in (eslint.config.mjs, LAYERS)` });
  for (const extra of layer.also ?? []) patterns.push({ ...extra, message: because });
  return { files: [`${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

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
  ...FOLDERS.map(boundaries),
  {
    // The workflow sandbox (and the pure rules it runs): deterministic code only.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use sleep() or condition() from @temporalio/workflow' }, { name: 'setInterval', message: 'use sleep() in a loop' }, { name: 'process', message: 'no environment in workflows' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'use uuid4() or workflow randomness from @temporalio/workflow' }],
    },
  },
);
