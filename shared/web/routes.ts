// The one route table, for the CDK stack and the local gateway alike: the HTTP API's few routes (path families, each
// sent to one function by audience), and the detailed routes each function's router serves from handler modules it
// loads on first use. A GET route also answers HEAD; every known path answers other methods with 405.
import { DEFAULT_PATH, matchRoute } from './routeMatch';

export { DEFAULT_PATH };

/** The DynamoDB actions baosong's code calls (no Scan anywhere: reads go by key and month index). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/**
 * What a function is, and exactly what it may do: the stack grants these and nothing more, and a test checks them
 * against the calls the function makes (test/integration/iam.test.ts) and the commands its bundle holds.
 */
export interface HandlerSpec {
  /** Module under functions/, exporting `handler`. */
  file: string;
  /** The table actions its code calls. */
  table: readonly TableAction[];
  /** Whether it sends email (SES SendEmail as the configured identity). */
  email: boolean;
  /** Whether it signs or verifies links (reads the signing key). */
  secret: boolean;
  /** Whether it sends email with attachments (SES SendRawEmail, as the same identity). */
  attachments?: boolean;
  /** The files bucket's actions its code calls (the pieces' uploaded originals). */
  files?: readonly FileAction[];
  /** Memory in MB when the default (512) is not enough: reading a Word document builds its whole tree. */
  memory?: number;
}

/** The S3 actions on the files bucket baosong's code calls (never a listing: files are found by their revision). */
export type FileAction = 'GetObject' | 'PutObject' | 'DeleteObject';

// Storing a revision's files: put them; delete them when the revision could not be written.
const STORE_FILES = ['PutObject', 'DeleteObject'] as const;

// A page reads the person and the roster summary in one BatchGet, the piece's events with one Query; a write also
// Gets (a claim, its own write after a lost answer).
const READ = ['BatchGetItem', 'Query'] as const;
const WRITE = ['GetItem', ...READ, 'PutItem', 'UpdateItem'] as const;
// A write whose items carry their email for the sweeper (no delivery, so no outbox update of its own).
const PUT_ONLY = ['GetItem', ...READ, 'PutItem'] as const;

export const handlers = {
  home: { file: 'functions/home.ts', table: [], email: false, secret: false },
  // One conditional put of a request item (and a read-back after a lost answer); the sweeper sends the link.
  requestLink: { file: 'functions/requestLink.ts', table: ['GetItem', 'PutItem'], email: false, secret: false },
  // The Query: only for a roster imported before the summary existed.
  submitForm: { file: 'functions/submitForm.ts', table: READ, email: false, secret: true },
  // DeleteItem: a submission that surely wrote nothing releases its retry claims.
  createSubmission: {
    file: 'functions/createSubmission.ts',
    table: [...WRITE, 'DeleteItem'],
    email: true,
    secret: true,
    files: STORE_FILES,
    memory: 1024,
  },
  showSubmission: { file: 'functions/showSubmission.ts', table: READ, email: false, secret: true },
  reviewPage: { file: 'functions/reviewPage.ts', table: READ, email: false, secret: true },
  decide: { file: 'functions/decide.ts', table: WRITE, email: true, secret: true },
  reviseForm: { file: 'functions/reviseForm.ts', table: READ, email: false, secret: true },
  revise: { file: 'functions/revise.ts', table: WRITE, email: true, secret: true, files: STORE_FILES, memory: 1024 },
  // A piece's original or attachment, downloaded by its informant or an editor (each checked as their page checks).
  pieceFile: { file: 'functions/pieceFile.ts', table: READ, email: false, secret: true, files: ['GetObject'] },
  renewLink: { file: 'functions/renewLink.ts', table: WRITE, email: true, secret: true },
  // The desk's pages and the informant's own page: the person and the summary (BatchGet), month partitions (Query).
  desk: { file: 'functions/desk.ts', table: READ, email: false, secret: true },
  // Sign-in and 退出: the person and the summary with the session (BatchGet), the session put or deleted, the
  // sign-in's line in the 操作记录 (a put), a fresh sign-in link for an expired one (the request item, a put).
  deskSignin: {
    file: 'functions/deskSignin.ts',
    table: ['GetItem', 'BatchGetItem', 'PutItem', 'DeleteItem'],
    email: false,
    secret: true,
  },
  // 数据 as a workbook or a CSV: its own function, so the desk's pages do not carry the spreadsheet writer.
  deskExport: { file: 'functions/deskExport.ts', table: READ, email: false, secret: true },
  mine: { file: 'functions/mine.ts', table: READ, email: false, secret: true },
  // A decision from the desk: the review's decision (its emails included).
  deskDecide: { file: 'functions/deskDecide.ts', table: WRITE, email: true, secret: true },
  // Roster upload: the import's writes. Its welcome emails wait in the outbox for the sweeper, so this function,
  // which carries the spreadsheet reader and the multipart parser, has no SES client.
  deskRoster: { file: 'functions/deskRoster.ts', table: WRITE, email: false, secret: true },
  // 作废链接 / 停用 / 启用 on the roster page (a new link waits in the outbox for the sweeper, as the upload's emails).
  deskPerson: { file: 'functions/deskPerson.ts', table: WRITE, email: false, secret: true },
  // The editor's adoption link (from the acceptance's email): the page reads; recording writes and emails.
  adoptionPage: { file: 'functions/adoptionPage.ts', table: READ, email: false, secret: true },
  adoptionRecord: { file: 'functions/adoptionRecord.ts', table: WRITE, email: true, secret: true },
  // 采用 and 积分 (the year's adoptions, the ranking, the 信息奖, the rules): month partitions, the roster, the rules.
  deskRecords: { file: 'functions/deskRecords.ts', table: READ, email: false, secret: true },
  // 登记采用 and 撤销 on the desk's piece page (the informant's email sent at once).
  deskAdoption: { file: 'functions/deskAdoption.ts', table: WRITE, email: true, secret: true },
  // A table of contents uploaded on the 采用 page: like the roster upload, its emails wait for the sweeper.
  deskAdoptionImport: { file: 'functions/deskAdoptionImport.ts', table: PUT_ONLY, email: false, secret: true },
  // 积分: a rules file uploaded, the 信息奖 sent (its emails wait for the sweeper).
  deskScores: { file: 'functions/deskScores.ts', table: PUT_ONLY, email: false, secret: true },
  // 点题: the topics and their responses (month partitions of each topic's life); issuing one emails its informants.
  deskTopics: { file: 'functions/deskTopics.ts', table: WRITE, email: true, secret: true },
  // 重点调研: a quarter's tasks and their matrix (its month partitions), its download; assigning a task emails its
  // units' informants; closing one.
  deskTasks: { file: 'functions/deskTasks.ts', table: WRITE, email: true, secret: true },
  // 通报 on the desk: the month's 通报 as it stands (its month partitions, its run and sent marks), its .docx, and
  // the send button (the run frozen with one conditional put: the sweeper sends it).
  deskBulletin: { file: 'functions/deskBulletin.ts', table: PUT_ONLY, email: false, secret: true },
  // 操作记录: a month's actions (its month partitions, its audit log, the topics, tasks, rules and runs; BatchGet of
  // what the index does not project), and the same rows as a workbook or a CSV.
  deskAudit: { file: 'functions/deskAudit.ts', table: READ, email: false, secret: true },
  // The web view of a month's 通报 as sent (one read of its run).
  bulletinView: { file: 'functions/bulletinView.ts', table: READ, email: false, secret: true },
  // Served by every HTTP function's router: a known path asked with a method it lacks (405).
  methodNotAllowed: { file: 'functions/methodNotAllowed.ts', table: [], email: false, secret: false },
  // Every path no route knows (a link cut short by a mail client): the Chinese 404; and the favicon.
  fallback: { file: 'functions/fallback.ts', table: [], email: false, secret: false },
} as const satisfies Record<string, HandlerSpec>;

export type HandlerName = keyof typeof handlers;

export interface Route {
  method: 'GET' | 'POST' | 'ANY';
  path: string;
  handler: HandlerName;
}

const explicitRoutes: Route[] = [
  { method: 'GET', path: '/', handler: 'home' },
  { method: 'POST', path: '/link', handler: 'requestLink' },
  { method: 'GET', path: '/submit', handler: 'submitForm' },
  { method: 'POST', path: '/submissions', handler: 'createSubmission' },
  { method: 'GET', path: '/submissions/{id}', handler: 'showSubmission' },
  { method: 'GET', path: '/submissions/{id}/files/{file}', handler: 'pieceFile' },
  { method: 'POST', path: '/submissions/{id}/revise-link', handler: 'renewLink' },
  { method: 'GET', path: '/review/{token}', handler: 'reviewPage' },
  // 审核下一篇 on a result page: a redirect to the oldest other piece waiting (changes nothing).
  { method: 'GET', path: '/review/{token}/next', handler: 'reviewPage' },
  { method: 'POST', path: '/review/{token}', handler: 'decide' },
  { method: 'GET', path: '/review/{token}/files/{file}', handler: 'pieceFile' },
  { method: 'POST', path: '/review/{token}/renew', handler: 'renewLink' },
  { method: 'GET', path: '/revise/{token}', handler: 'reviseForm' },
  { method: 'POST', path: '/revise/{token}', handler: 'revise' },
  { method: 'POST', path: '/revise/{token}/renew', handler: 'renewLink' },
  // 我的报送: the informant's own page.
  { method: 'GET', path: '/mine', handler: 'mine' },
  // Signing in to the desk: the sign-in link's page (GET, a button), the sign-in itself (POST: the session cookie),
  // a fresh link by email for an expired one, 退出, and the page after it. A permanent desk link of before sign-in
  // links (`/desk/{token}`) shows the page of an expired sign-in link.
  { method: 'GET', path: '/desk/signin/{token}', handler: 'deskSignin' },
  { method: 'POST', path: '/desk/signin/{token}', handler: 'deskSignin' },
  { method: 'POST', path: '/desk/signin/{token}/renew', handler: 'deskSignin' },
  { method: 'GET', path: '/desk/{token}', handler: 'deskSignin' },
  { method: 'POST', path: '/desk/signout', handler: 'deskSignin' },
  { method: 'GET', path: '/desk/signedout', handler: 'deskSignin' },
  // The desk (信息科工作台): pages by GET, every action a POST from a button; the session is a cookie.
  { method: 'GET', path: '/desk', handler: 'desk' },
  { method: 'GET', path: '/desk/pieces', handler: 'desk' },
  { method: 'GET', path: '/desk/pieces/{id}', handler: 'desk' },
  { method: 'POST', path: '/desk/pieces/{id}', handler: 'deskDecide' },
  { method: 'GET', path: '/desk/pieces/{id}/files/{file}', handler: 'pieceFile' },
  { method: 'GET', path: '/desk/issues', handler: 'desk' },
  { method: 'GET', path: '/desk/roster', handler: 'desk' },
  { method: 'POST', path: '/desk/roster', handler: 'deskRoster' },
  { method: 'POST', path: '/desk/roster/people/{personId}', handler: 'deskPerson' },
  { method: 'GET', path: '/desk/figures', handler: 'desk' },
  { method: 'GET', path: '/desk/figures/download', handler: 'deskExport' },
  { method: 'POST', path: '/desk/pieces/{id}/adoptions', handler: 'deskAdoption' },
  { method: 'POST', path: '/desk/pieces/{id}/adoptions/{adoptionId}/withdraw', handler: 'deskAdoption' },
  { method: 'GET', path: '/desk/adoptions', handler: 'deskRecords' },
  { method: 'POST', path: '/desk/adoptions', handler: 'deskAdoptionImport' },
  { method: 'GET', path: '/desk/scores', handler: 'deskRecords' },
  { method: 'GET', path: '/desk/scores/download', handler: 'deskExport' },
  { method: 'POST', path: '/desk/scores/rules', handler: 'deskScores' },
  { method: 'POST', path: '/desk/scores/award', handler: 'deskScores' },
  { method: 'GET', path: '/desk/topics', handler: 'deskTopics' },
  { method: 'POST', path: '/desk/topics', handler: 'deskTopics' },
  { method: 'GET', path: '/desk/topics/{topicId}', handler: 'deskTopics' },
  { method: 'POST', path: '/desk/topics/{topicId}/close', handler: 'deskTopics' },
  { method: 'GET', path: '/desk/tasks', handler: 'deskTasks' },
  { method: 'POST', path: '/desk/tasks', handler: 'deskTasks' },
  { method: 'GET', path: '/desk/tasks/download', handler: 'deskTasks' },
  { method: 'POST', path: '/desk/tasks/{taskId}/close', handler: 'deskTasks' },
  { method: 'GET', path: '/desk/bulletin', handler: 'deskBulletin' },
  { method: 'GET', path: '/desk/bulletin/download', handler: 'deskBulletin' },
  { method: 'POST', path: '/desk/bulletin/send', handler: 'deskBulletin' },
  { method: 'GET', path: '/desk/audit', handler: 'deskAudit' },
  { method: 'GET', path: '/desk/audit/download', handler: 'deskAudit' },
  // The 通报's web view, from the link in its email (read-only, forwarded to the 月例会 like the email).
  { method: 'GET', path: '/bulletin/{token}', handler: 'bulletinView' },
  // The editor's adoption link, from the email confirming an acceptance (long-lived: adoptions come months later).
  { method: 'GET', path: '/adoption/{token}', handler: 'adoptionPage' },
  { method: 'POST', path: '/adoption/{token}', handler: 'adoptionRecord' },
];

/** Every route of the app: the detailed table each function's router matches (shared/web/router.ts). */
export const routes: Route[] = explicitRoutes;

/**
 * The HTTP functions, by audience and permission boundary. Each serves the routes of its path families below; its
 * router loads the handler module of the request on first use, so a cold start parses the router and what the first
 * route needs; its grants are the union of its routes' handler lines.
 */
export const httpFunctions = {
  // The front page, the form, the receipt, 我的报送, the 通报's web view, and every path no other route knows.
  public: { description: 'public and informant pages' },
  // What an editor opens from an email: review links and adoption links.
  review: { description: 'email-link review and adoption' },
  // 信息科工作台: editors' and leaders' pages and actions.
  desk: { description: 'the desk (editors and leaders)' },
  // The two routes that read uploaded Word documents: their tree is many times their XML, so they get the memory
  // (and the CPU that comes with it) that no other page needs.
  documents: { description: 'submissions and revisions with their documents', memory: 1024 },
} as const satisfies Record<string, { description: string; memory?: number }>;

export type HttpFunctionName = keyof typeof httpFunctions;

/** One route of the HTTP API itself: a path family, sent whole to one function. */
export interface ApiRoute {
  method: 'POST' | 'ANY';
  /** A path with `{proxy+}` for a family, or `$default`. */
  path: string;
  fn: HttpFunctionName;
}

/**
 * The HTTP API's routes: a few path families, not one route per page. The function answers HEAD, 405 (with Allow)
 * and 404 itself from the detailed table, so one more page costs no API resource at all.
 */
export const apiRoutes: ApiRoute[] = [
  { method: 'POST', path: '/submissions', fn: 'documents' },
  { method: 'POST', path: '/revise/{token}', fn: 'documents' },
  { method: 'ANY', path: '/desk', fn: 'desk' },
  { method: 'ANY', path: '/desk/{proxy+}', fn: 'desk' },
  { method: 'ANY', path: '/review/{proxy+}', fn: 'review' },
  { method: 'ANY', path: '/adoption/{proxy+}', fn: 'review' },
  { method: 'ANY', path: DEFAULT_PATH, fn: 'public' },
];

/** A path of the route's shape (`/desk/{token}` → `/desk/x`), to ask which API route takes it. */
const samplePath = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

/** The function that serves a detailed route: the one its API route sends it to (GET routes answer HEAD too). */
export function functionOf(route: Route): HttpFunctionName {
  const match = matchRoute(apiRoutes, route.method, samplePath(route.path));
  if (!match) throw new Error(`No API route takes ${route.method} ${route.path}`);
  return match.route.fn;
}

/** The handler modules a function's router loads: its routes', and the 405 and 404 every router answers. */
export function handlersOf(fn: HttpFunctionName): HandlerName[] {
  const own = routes.filter((route) => functionOf(route) === fn).map((route) => route.handler);
  return [...new Set<HandlerName>([...own, 'methodNotAllowed', 'fallback'])];
}

/** What a function may do: the union of its handlers' lines (its IAM, granted by the stack and checked by a test). */
export function functionSpec(fn: HttpFunctionName): Omit<HandlerSpec, 'file'> {
  const specs: HandlerSpec[] = handlersOf(fn).map((name) => handlers[name]);
  const union = <T>(lists: (readonly T[] | undefined)[]): T[] => [...new Set(lists.flatMap((list) => list ?? []))];
  const memory = (httpFunctions[fn] as { memory?: number }).memory;
  return {
    table: union(specs.map((spec) => spec.table)),
    email: specs.some((spec) => spec.email),
    secret: specs.some((spec) => spec.secret),
    attachments: specs.some((spec) => spec.attachments === true),
    files: union(specs.map((spec) => spec.files)),
    ...(memory ? { memory } : {}),
  };
}

/** The methods a path answers, for the 405 page's Allow header. */
export function allowedMethods(path: string): string[] {
  const methods = explicitRoutes.filter((r) => r.path === path).map((r) => r.method);
  return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
}

/** Timed jobs: EventBridge Scheduler on AWS, a timer or a command locally. */
export const jobs = {
  sweeper: {
    file: 'functions/sweeper.ts',
    // BatchGetItem: the due outbox items and their recipients; the pieces of the receipt numbers handed out lately.
    // PutItem: the desk welcome of editors and leaders already in the roster when the desk came (once); a queued
    // 通报 run's claims on its recipients (the 通报 itself loaded only then, and sent with SendRawEmail).
    table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
    email: true,
    attachments: true,
    secret: true,
    // Files uploaded for a revision that was never written are deleted (shared/documents/staging.ts).
    files: ['DeleteObject'],
    /** Every minute on AWS; every few seconds under `npm start`. */
    schedule: 'rate(1 minute)',
  },
  reminders: {
    file: 'functions/reminders.ts',
    table: WRITE,
    email: true,
    secret: true,
    /** Daily at 09:00 Asia/Shanghai, the start of the office day (the schedule's time zone). */
    schedule: 'cron(0 9 * * ? *)',
  },
  bulletin: {
    file: 'functions/bulletin.ts',
    // Query: the month partitions, the roster, the topics, the waiting revisions, the sent marks; PutItem: the run
    // and each recipient's claim; UpdateItem: the sent marks.
    table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
    // Every message carries the .xlsx: SendRawEmail only, from a module loaded when it sends.
    email: false,
    attachments: true,
    secret: true,
    /** The 1st of every month at 09:00 Asia/Shanghai, on the month before (the `bulletinSchedule` setting may move it). */
    schedule: 'cron(0 9 1 * ? *)',
  },
  quarterly: {
    file: 'functions/quarterly.ts',
    // Query: the quarter's tasks, the month partitions of their status, the roster, the sent marks; PutItem: the run
    // and each recipient's claim; UpdateItem: the sent marks.
    table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
    // The matrix rides along as .xlsx: SendRawEmail only, from a module loaded when it sends.
    email: false,
    attachments: true,
    // With emailFullText=link the email carries no figures: each recipient's desk link instead (a signed link).
    secret: true,
    /** The first day of each quarter at 09:00 Asia/Shanghai, on the quarter before. */
    schedule: 'cron(0 9 1 1,4,7,10 ? *)',
  },
} as const satisfies Record<string, HandlerSpec & { schedule: string }>;

/** Functions that AWS events invoke: neither a page nor a schedule. */
export const eventHandlers = {
  // SES bounce and complaint events, through SNS: recorded on the person (退信 / 投诉); mail to them stops. The mark is
  // one UpdateItem (GetItem after a lost answer); an editor's stop rewrites the roster summary (Query, PutItem).
  mailEvents: {
    file: 'functions/mailEvents.ts',
    table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
    email: false,
    secret: false,
  },
} as const satisfies Record<string, HandlerSpec>;
