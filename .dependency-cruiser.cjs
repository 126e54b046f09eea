// The architecture's rules, checked by `npm run deps` (dependency-cruiser) inside `npm test`. shared/ has a folder per
// part of the work (features) standing on a few folders of ground; imports point one way, from features down to
// the ground, and nothing outside the Lambda code reaches into it from shared/. One rule per line of the design.

/** Which folders of shared/ each folder may import (besides itself). Ground first, features after. */
const layers = {
  core: [], // config, clock, log, errors, html escaping, the CLI's command shape: the bottom, no AWS and no pages
  store: ['core'], // DynamoDB: client, keys, the table definition, retry claims
  mail: ['core', 'store'], // SES and the outbox mechanism; no feature's template
  web: ['core'], // the HTTP frame, the page frame, the route table
  links: ['core'], // signed tokens, the signing key, what each link claims
  sheets: ['core'], // .xlsx and CSV: reading an upload as rows of text, writing a table to download
  // uploaded files: what may be uploaded and what it is by its bytes, a Word document read as text and safe HTML,
  // keeping the originals in the bucket with no object left without its revision
  documents: ['core', 'store', 'mail', 'web'],
  scoring: ['core', 'store'], // the scoring rules as versioned data, the points of an adoption, what adoptions count
  roster: ['core', 'store', 'mail', 'web', 'links', 'sheets'], // units and people, their personal links and emails
  pieces: ['core', 'store', 'mail', 'web', 'links', 'roster', 'documents'], // a piece's record, form, story and acknowledgment
  review: ['core', 'store', 'mail', 'web', 'links', 'roster', 'pieces', 'scoring', 'documents'], // decisions, revisions, reminders
  // topics (点题): issuing and closing them, their emails, the open list a submission reads, responses by unit
  topics: ['core', 'store', 'mail', 'web', 'links', 'roster', 'pieces', 'reports'],
  // 重点调研 research tasks: assigning and closing them, the open list a research paper names, the status matrix
  research: ['core', 'store', 'mail', 'web', 'links', 'sheets', 'roster', 'pieces', 'reports', 'scoring', 'topics'],
  // submission, receipt page
  intake: ['core', 'store', 'mail', 'web', 'links', 'roster', 'pieces', 'review', 'topics', 'research', 'documents'],
  reports: ['core', 'store', 'pieces', 'scoring'], // month-keyed figures
  // adoptions upstream (采用): recording from the email link, the desk, a table of contents, the CLI; withdrawal
  adoption: ['core', 'store', 'mail', 'web', 'links', 'sheets', 'roster', 'pieces', 'intake', 'scoring'],
  // scores: rankings, the annual 信息奖, setting the rules and re-scoring
  scores: ['core', 'store', 'mail', 'web', 'sheets', 'roster', 'pieces', 'reports', 'scoring', 'adoption'],
  // the monthly 通报: computed from month partitions, sent once per recipient and paced, its web view, .xlsx, .docx
  bulletin: [
    ...['core', 'store', 'mail', 'web', 'links', 'sheets', 'roster', 'pieces', 'reports', 'scoring', 'scores'],
    ...['topics', 'research'],
  ],
  // the desk (信息科工作台): its pages, reads and actions, on the review's decision and the roster's import
  desk: [
    ...['core', 'store', 'mail', 'web', 'links', 'sheets', 'roster', 'pieces', 'review', 'intake', 'reports'],
    ...['scoring', 'adoption', 'scores', 'topics', 'research', 'bulletin', 'documents'],
  ],
  // 我的报送: an informant's own page
  mine: ['core', 'store', 'web', 'links', 'roster', 'pieces', 'reports', 'scoring', 'topics', 'research'],
  app: [
    ...['core', 'store', 'mail', 'web', 'links', 'sheets', 'roster', 'pieces', 'review', 'intake', 'reports'],
    ...['scoring', 'adoption', 'scores', 'topics', 'research', 'bulletin', 'documents'],
  ], // composition
};

const layerRules = Object.entries(layers).map(([folder, allowed]) => ({
  name: `layer-${folder}`,
  comment: `shared/${folder}/ may import only ${allowed.length ? allowed.map((f) => `shared/${f}/`).join(', ') : 'itself'}: imports point from features down to the ground, never back.`,
  severity: 'error',
  from: { path: `^shared/${folder}/` },
  to: { path: '^shared/', pathNot: `^shared/(${[folder, ...allowed].join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle makes two modules one in all but name: neither can be read, tested or bundled without the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'shared-in-folders',
      comment:
        'Every module of shared/ lives in the folder of its feature or ground, so `ls shared/` shows the parts of the work.',
      severity: 'error',
      from: { path: '^shared/[^/]+$' },
      to: {},
    },
    {
      name: 'not-to-loose-shared',
      comment: 'Nothing imports a module loose at the top of shared/: it belongs in a folder (see shared-in-folders).',
      severity: 'error',
      from: {},
      to: { path: '^shared/[^/]+$' },
    },
    {
      name: 'shared-folders-known',
      comment: 'A new folder of shared/ gets its place in the layers above before it imports anything.',
      severity: 'error',
      from: { path: '^shared/[^/]+/', pathNot: `^shared/(${Object.keys(layers).join('|')})/` },
      to: {},
    },
    {
      name: 'not-to-unknown-shared-folder',
      comment: 'Nothing imports from a folder of shared/ that has no place in the layers above.',
      severity: 'error',
      from: {},
      to: { path: '^shared/[^/]+/', pathNot: `^shared/(${Object.keys(layers).join('|')})/` },
    },
    {
      name: 'shared-is-lambda-code',
      comment:
        'shared/ is bundled into every function: it never reaches into handlers, infra, the local stack, scripts, the bench or tests.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|local|scripts|bench|test)/' },
    },
    {
      name: 'functions-use-shared-only',
      comment:
        'A handler is thin: it takes what the event carries and calls shared/; no handler imports another, infra or local code. The router (the entry of every HTTP function) is the one file that loads handler modules, each on first use.',
      severity: 'error',
      from: { path: '^functions/', pathNot: '^functions/router[.]ts$' },
      to: { path: '^(functions|infra|local|scripts|bench|test)/' },
    },
    {
      name: 'core-without-packages',
      comment:
        'core is plain TypeScript on Node: no AWS SDK, no middy, so every module can use it at no cost to its bundle.',
      severity: 'error',
      from: { path: '^shared/core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'lambda-code-not-to-dev-dep',
      comment:
        'What is bundled into a function uses runtime dependencies only (types excepted): a devDependency would be missing in a clean install.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing would fail at run time or in the bundle.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|cdk\\.out|\\.data|bench/out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
