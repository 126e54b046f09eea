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
  // The lazily loaded modules are imported as './libraries.js' etc. (files of their own in a deployed function).
  moduleNameMapper: {
    '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js',
    '^\\./(libraries|writers)\\.js$': '<rootDir>/shared/sheets/$1.ts',
    '^\\./multipart\\.js$': '<rootDir>/shared/web/multipart.ts',
    '^\\./bulletinDocx\\.js$': '<rootDir>/shared/desk/bulletinDocx.ts',
    '^\\./rawEmail\\.js$': '<rootDir>/shared/mail/rawEmail.ts',
    '^\\./mailRuns\\.js$': '<rootDir>/shared/app/mailRuns.ts',
    '^\\./objects\\.js$': '<rootDir>/shared/store/objects.ts',
    '^\\./readDocx\\.js$': '<rootDir>/shared/documents/readDocx.ts',
  },
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
