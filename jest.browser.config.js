// Browser tests: a real Chromium (playwright-core driving Debian's /usr/bin/chromium) clicks through the pages the
// local gateway serves. The SWC transform and the stand-ins (dynalite, aws-ses-v2-local) are those of
// jest.config.js; one file at a time, since each file starts a browser of its own.
const {
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  resolver,
  testEnvironment,
  globalSetup,
  globalTeardown,
} = require('./jest.config.js');

module.exports = {
  displayName: 'browser',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  resolver,
  testEnvironment,
  globalSetup,
  globalTeardown,
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 60000,
};
