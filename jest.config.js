// Two projects: `unit` (pure logic, next to the code) and `integration` (test/, real stack).
// @swc/jest compiles with legacy decorators and decorator metadata, as tsc does for the build.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  // Integration suites wait on real brokers and databases; testTimeout is a global option in Jest.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': swc },
      testMatch: ['<rootDir>/{schema,ingest,processor,gateway,bench,scripts}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/gateway/dashboard/'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': swc },
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
