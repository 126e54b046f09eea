// The one route table: the CDK stack makes an HTTP API route and a Lambda per handler from it, and the local
// gateway serves the same handlers from it. A GET route also answers HEAD; every path answers other methods with 405.

export type TableAccess = 'none' | 'read' | 'readwrite';

export interface HandlerSpec {
  /** Module under functions/, exporting `handler`. */
  file: string;
  /** What the function may do to the table (least privilege in the stack). */
  table: TableAccess;
  /** Whether the function sends email (SES permission for the configured identity). */
  email: boolean;
}

export const handlers = {
  home: { file: 'functions/home.ts', table: 'none', email: false },
  requestLink: { file: 'functions/requestLink.ts', table: 'readwrite', email: true },
  submitForm: { file: 'functions/submitForm.ts', table: 'read', email: false },
  createSubmission: { file: 'functions/createSubmission.ts', table: 'readwrite', email: true },
  showSubmission: { file: 'functions/showSubmission.ts', table: 'read', email: false },
  reviewPage: { file: 'functions/reviewPage.ts', table: 'read', email: false },
  decide: { file: 'functions/decide.ts', table: 'readwrite', email: true },
  reviseForm: { file: 'functions/reviseForm.ts', table: 'read', email: false },
  revise: { file: 'functions/revise.ts', table: 'readwrite', email: true },
  renewLink: { file: 'functions/renewLink.ts', table: 'readwrite', email: true },
  methodNotAllowed: { file: 'functions/methodNotAllowed.ts', table: 'none', email: false },
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
  { method: 'POST', path: '/submissions/{id}/revise-link', handler: 'renewLink' },
  { method: 'GET', path: '/review/{token}', handler: 'reviewPage' },
  { method: 'POST', path: '/review/{token}', handler: 'decide' },
  { method: 'POST', path: '/review/{token}/renew', handler: 'renewLink' },
  { method: 'GET', path: '/revise/{token}', handler: 'reviseForm' },
  { method: 'POST', path: '/revise/{token}', handler: 'revise' },
  { method: 'POST', path: '/revise/{token}/renew', handler: 'renewLink' },
];

/** Every explicit route, then one `ANY` route per path that answers 405 for the methods the path lacks. */
export const routes: Route[] = [
  ...explicitRoutes,
  ...[...new Set(explicitRoutes.map((r) => r.path))].map(
    (path): Route => ({ method: 'ANY', path, handler: 'methodNotAllowed' }),
  ),
];

/** The methods a path answers, for the 405 page's Allow header. */
export function allowedMethods(path: string): string[] {
  const methods = explicitRoutes.filter((r) => r.path === path).map((r) => r.method);
  return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
}

/** Timed jobs: EventBridge Scheduler on AWS, a timer or a command locally. */
export const jobs = {
  sweeper: {
    file: 'functions/sweeper.ts',
    table: 'readwrite',
    email: true,
    /** Every minute on AWS; every few seconds under `npm start`. */
    schedule: 'rate(1 minute)',
  },
  reminders: {
    file: 'functions/reminders.ts',
    table: 'readwrite',
    email: true,
    /** Daily at 09:00 Asia/Shanghai, the start of the office day (the schedule's time zone). */
    schedule: 'cron(0 9 * * ? *)',
  },
} as const satisfies Record<string, HandlerSpec & { schedule: string }>;
