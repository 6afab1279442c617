/** Jest runs TypeScript through swc (no type-check here: `npm run typecheck` does that). */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
// cookie@2 (loaded by Fastify's inject) is ESM-only; Node 20 can require() it but Jest's module registry cannot,
// so jest compiles that one package to CommonJS.
const transform = { '^.+\\.ts$': swc, '/node_modules/cookie/.+\\.js$': swc };
const common = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
};

module.exports = {
  // The Temporal native runtime keeps a handle open after the last test (sdk-typescript #928); every environment
  // and worker is torn down in the tests themselves, so jest may exit without waiting for it.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...common, displayName: 'workflows', testMatch: ['<rootDir>/tests/workflows/**/*.test.ts'], setupFiles: ['<rootDir>/tests/helpers/jest-setup.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'], setupFiles: ['<rootDir>/tests/helpers/jest-setup.ts'] },
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/tests/faults/**/*.test.ts'], setupFiles: ['<rootDir>/tests/helpers/jest-setup.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/tests/browser/**/*.test.ts'], setupFiles: ['<rootDir>/tests/helpers/jest-setup.ts'] },
    { ...common, displayName: 'operations', testMatch: ['<rootDir>/tests/operations/**/*.test.ts'], setupFiles: ['<rootDir>/tests/helpers/jest-setup.ts'] },
  ],
};
