// Unit and integration tests as jest projects. TypeScript and middy's ESM are compiled by SWC; the stand-ins
// (dynalite, aws-ses-v2-local) are started once per run by test/globalSetup.ts.
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const common = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  // middy 7 publishes ESM behind an `import`-only export map, which jest's CommonJS resolver does not follow.
  moduleNameMapper: {
    '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js',
  },
  // The lazily loaded modules and the router's handler modules ('./desk.js') find their sources by this resolver.
  resolver: '<rootDir>/test/jestResolver.js',
  testEnvironment: 'node',
};
module.exports = {
  ...common,
  maxWorkers: 2,
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/globalSetup.ts',
  globalTeardown: '<rootDir>/test/globalTeardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
  ],
};
