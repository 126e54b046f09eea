// Every email the system sends, rendered from representative data in both settings of EMAIL_FULL_TEXT (the deploy
// setting `baosong:emailFullText`): `full` carries the work's text as always; `link` carries none of it — no piece
// title, body sentence, document table, file name, feedback or remark, no topic or task title or description, no
// 通报 figures and no attachment — in the subject, either part or an attachment's name, and each email still links
// to the page that shows what it leaves out (the link's token checked by the app's own verifier).
// Configuration is read once per module registry: each setting gets a registry of its own (jest.isolateModules).

import type { AdoptionRecord } from '../../../shared/adoption/adoptions';
import type { Bulletin, Tally } from '../../../shared/bulletin/bulletin';
import { setClock } from '../../../shared/core/clock';
import { readConfig } from '../../../shared/core/config';
import type { RunRecipient } from '../../../shared/mail/runs';
import type { EmailTemplates, Recipient } from '../../../shared/mail/templates';
import type { PieceEvent } from '../../../shared/pieces/events';
import type { QuarterlyReport } from '../../../shared/research/quarterly';
import type { Task } from '../../../shared/research/tasks';
import { importRoster } from '../../../shared/roster/importRoster';
import { listRoster, type Person } from '../../../shared/roster/people';
import type { SentAward } from '../../../shared/scores/award';
import type { Topic } from '../../../shared/topics/topics';
import { rosterCsv, startTestCounty, type TestCounty } from '../../support/harness';

type Mode = 'full' | 'link';

/** What the app is, loaded in a registry of its own for one setting. */
interface App {
  mode: Mode;
  templates: EmailTemplates;
  bulletinKind: typeof import('../../../shared/bulletin/sendBulletin').bulletinKind;
  quarterlyKind: typeof import('../../../shared/research/quarterly').quarterlyKind;
  links: typeof import('../../../shared/links/links');
}

const NOW = new Date('2026-10-10T02:00:00Z');

function loadApp(mode: Mode): App {
  process.env.EMAIL_FULL_TEXT = mode;
  let app: App | undefined;
  jest.isolateModules(() => {
    require('../../../shared/core/clock').setClock(NOW);
    // Read now, in this setting: the registry keeps it.
    expect(require('../../../shared/core/config').config().emailText).toBe(mode);
    app = {
      mode,
      templates: require('../../../shared/app/emailTemplates').allTemplates,
      bulletinKind: require('../../../shared/bulletin/sendBulletin').bulletinKind,
      quarterlyKind: require('../../../shared/research/quarterly').quarterlyKind,
      links: require('../../../shared/links/links'),
    };
  });
  delete process.env.EMAIL_FULL_TEXT;
  return app!;
}

// The work's text: none of it may leave in a `link` email.
const TITLE = '城关镇“夜校课堂”激活党员教育一池春水';
const PREVIOUS_TITLE = '城关镇创新党员教育方式的做法';
const BODY_1 = '城关镇坚持把党员教育培训作为基层党建的基础工程，创新开展夜校课堂。';
const BODY_2 = '全年培训党员一千二百人次，群众满意率达到百分之九十八。';
const PREVIOUS_BODY = '城关镇开展党员教育。旧稿里这一句后来被整句删去了。';
const TABLE_CELL = '夜校课堂开班情况统计';
const FILE_DOCUMENT = '夜校课堂经验材料终稿.docx';
const FILE_ATTACHMENT = '夜校课堂签到表扫描件.pdf';
const FEEDBACK = '请补充具体数据和一个典型案例。';
const EARLIER_FEEDBACK = '第一稿的意见：标题过长。';
const REMARK = '材料扎实，数据翔实，修改到位。';
const REASON = '与本月报送重点关联不大。';
const TOPIC_TITLE = '如何激活基层党组织“神经末梢”';
const TOPIC_DESCRIPTION = '请围绕网格化管理和党员联系户制度报送典型做法。';
const TASK_TITLE = '年轻干部成长路径专题调查';
const TASK_DESCRIPTION = '选取三个乡镇，访谈不少于二十名年轻干部。';
const NEXT_TASK_TITLE = '村级组织运转经费保障情况调研';
const AWARD_PIECE = '红旗乡“党员积分超市”让服务有温度';
const BULLETIN_UNIT = '城关镇党委';
const SECRETS = [
  TITLE,
  PREVIOUS_TITLE,
  BODY_1,
  BODY_2,
  PREVIOUS_BODY,
  TABLE_CELL,
  FILE_DOCUMENT,
  FILE_ATTACHMENT,
  FEEDBACK,
  EARLIER_FEEDBACK,
  REMARK,
  REASON,
  TOPIC_TITLE,
  TOPIC_DESCRIPTION,
  TASK_TITLE,
  TASK_DESCRIPTION,
  NEXT_TASK_TITLE,
  AWARD_PIECE,
  BULLETIN_UNIT,
];

const PIECE_ID = '2026-0042';
const RECEIPT = '2026-0042';

let county: TestCounty;
let informant: Person;
let editor: Person;
let leader: Person;
const apps: Partial<Record<Mode, App>> = {};

beforeAll(async () => {
  setClock(NOW);
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  const people = (await listRoster(process.env.COUNTY_ID!)).people;
  const byAddress = (name: string) => people.find((p) => p.email === `${name}@${county.domain}`)!;
  informant = byAddress('chen');
  editor = byAddress('editor');
  leader = byAddress('leader');
  apps.full = loadApp('full');
  apps.link = loadApp('link');
});
afterAll(async () => {
  setClock(undefined);
  await county?.close();
});

const recipientOf = (p: Person): Recipient => ({ name: p.name, role: p.role, keyVersion: p.keyVersion });
const files = [
  { n: 1, role: 'document', kind: 'docx', name: FILE_DOCUMENT, size: 20_480, sha256: 'a'.repeat(64), key: 'f/1' },
  { n: 2, role: 'attachment', kind: 'pdf', name: FILE_ATTACHMENT, size: 102_400, sha256: 'b'.repeat(64), key: 'f/2' },
] as PieceEvent['files'];

/** The second draft of a returned piece, as the revision event carries it. */
function revisionItem(): Partial<PieceEvent> {
  return {
    type: 'revision' as PieceEvent['type'],
    pieceId: PIECE_ID,
    receipt: RECEIPT,
    revision: 2,
    at: '2026-10-08T01:00:00Z',
    kind: 'info',
    title: TITLE,
    body: `${BODY_1}\n\n${BODY_2}`,
    files,
    unitId: informant.unitId!,
    informantId: informant.personId,
    unitName: '县委办公室',
    informantName: informant.name,
    feedback: [
      { revision: 1, comment: EARLIER_FEEDBACK },
      { revision: 1, comment: FEEDBACK },
    ],
    previousTitle: PREVIOUS_TITLE,
    previousBody: PREVIOUS_BODY,
  };
}

const exp = Math.floor(NOW.getTime() / 1000) + 14 * 86_400;
const tally = (t: Partial<Tally> = {}): Tally => ({
  sent: 0,
  research: 0,
  accepted: 0,
  adopted: { prefecture: 0, region: 0, central: 0 },
  instructions: 0,
  points: 0,
  ...t,
});

const topic: Topic = {
  topicId: 'T2610a1b2c3',
  title: TOPIC_TITLE,
  description: TOPIC_DESCRIPTION,
  due: '2026-10-30',
  units: 'all',
  createdAt: '2026-10-01T01:00:00Z',
  createdBy: '王编辑',
  createdMonth: '2026-10',
};
const task: Task = {
  taskId: 'R26Q4a1b2c3',
  quarter: '2026Q4',
  title: TASK_TITLE,
  description: TASK_DESCRIPTION,
  due: '2026-11-30',
  units: 'all',
  lead: '李主任',
  createdAt: '2026-10-01T01:00:00Z',
  createdBy: '王编辑',
};

function bulletin(): Bulletin {
  return {
    month: '2026-09',
    year: 2026,
    title: '2026年9月组工信息工作通报',
    computedAt: '2026-09-30T16:30:00.000Z',
    provisional: false,
    summary: {
      month: tally({ sent: 21, accepted: 7, points: 40 }),
      year: tally({ sent: 180, points: 420 }),
      issues: [18],
    },
    target: { yearly: 230, monthlyResearch: 4, projected: 240, percent: 104, dueByNow: 172, unitShareByNow: 6 },
    perMonth: [{ month: '2026-09', sent: 21 }],
    units: [
      {
        unitId: 'u1',
        name: BULLETIN_UNIT,
        yearRank: 1,
        monthRank: 1,
        month: tally({ sent: 6, points: 18 }),
        year: tally({ sent: 40, points: 120 }),
        silent: false,
        belowShare: false,
      },
    ],
    silent: [],
    belowShare: [],
    research: {
      quarter: '2026Q3',
      tasks: [{ title: TASK_TITLE, due: '2026-09-20', lead: '', units: [{ state: '已采用', names: [BULLETIN_UNIT] }] }],
    },
    topics: {
      open: [
        { id: topic.topicId, title: TOPIC_TITLE, due: topic.due, audience: '全部单位', responses: [], unanswered: 3 },
      ],
      dueNext: [],
    },
    health: { waiting: 1, oldestWaitDays: 2, oldestReceipt: RECEIPT, decisions: 5 },
  };
}

function quarterly(): QuarterlyReport {
  const done: Task = { ...task, taskId: 'R26Q3d4e5f6', quarter: '2026Q3', due: '2026-09-20' };
  return {
    quarter: '2026Q3',
    title: '2026年第三季度重点调研完成情况',
    matrix: {
      quarter: '2026Q3',
      tasks: [done],
      units: [{ unitId: 'u1', name: BULLETIN_UNIT }],
      cells: { [done.taskId]: { u1: { state: 'accepted', on: '2026-09-10', receipts: [RECEIPT], adoptions: 1 } } },
      computedAt: '2026-10-01T01:00:00Z',
    },
    next: { quarter: '2026Q4', tasks: [{ ...task, title: NEXT_TASK_TITLE, audience: '全部单位' }] },
    computedAt: '2026-10-01T01:00:00Z',
  };
}

/** One rendered email, with what its full text must show (so the absence in `link` is not vacuous). */
interface Rendered {
  name: string;
  subject: string;
  text: string;
  html: string;
  attachments: string[];
  /** The secrets `full` shows in this email. */
  shows: string[];
  /** The link to its page, checked against its own verifier (none: the email has no page to link). */
  page?: (url: URL, links: App['links']) => Promise<void>;
  pagePath?: RegExp;
}

const receiptPage = {
  pagePath: /\/submissions\/2026-0042\?r=/,
  page: async (url: URL, links: App['links']) => {
    const claims = await links.receiptClaims(url.searchParams.get('r'));
    expect(claims).toMatchObject({ pieceId: PIECE_ID, informantId: informant.personId });
  },
};
const lastSegment = (url: URL, after: string) =>
  url.pathname.slice(url.pathname.indexOf(after) + after.length).split('/')[0];
/** A desk sign-in link: whose it is, and the desk page it goes on to after signing in (`to`; none: the desk). */
const deskPage = (to: string | undefined, person: () => Person) => ({
  pagePath: /\/desk\/signin\/[^/?\s]+/,
  page: async (url: URL, links: App['links']) => {
    expect(await links.signinClaims(lastSegment(url, '/desk/signin/'))).toMatchObject({
      personId: person().personId,
    });
    expect(url.searchParams.get('to')).toBe(to ?? null);
  },
});
const answerPage = (call: { topicId: string } | { taskId: string }) => ({
  pagePath: /\/submit\?a=/,
  page: async (url: URL, links: App['links']) => {
    expect(await links.answerClaims(url.searchParams.get('a'))).toMatchObject({
      personId: informant.personId,
      ...call,
    });
  },
});
const minePage = {
  pagePath: /\/mine\?m=/,
  page: async (url: URL, links: App['links']) => {
    expect(await links.mineClaims(url.searchParams.get('m'))).toMatchObject({ personId: informant.personId });
  },
};
const adoptionPage = {
  pagePath: /\/adoption\/[^/?]+/,
  page: async (url: URL, links: App['links']) => {
    expect(await links.adoptionClaims(lastSegment(url, '/adoption/'))).toMatchObject({
      pieceId: PIECE_ID,
      editorId: editor.personId,
    });
  },
};

async function renderEveryEmail(app: App): Promise<Rendered[]> {
  const t = app.templates;
  const out: Rendered[] = [];
  const add = async (
    name: string,
    template: string,
    data: Record<string, string | number>,
    item: object,
    who: Person,
    expected: Omit<Rendered, 'name' | 'subject' | 'text' | 'html' | 'attachments'>,
  ) => {
    const email = await t[template]!(data, { item: item as Record<string, unknown>, recipient: recipientOf(who) });
    // Templates attach nothing today; should one start to, its names are checked too.
    const attached = (email as { attachments?: { filename: string }[] }).attachments ?? [];
    out.push({ name, ...email, attachments: attached.map((a) => a.filename), ...expected });
  };
  const chen = { name: informant.name, personId: informant.personId };

  // Roster: personal links, no work text in either setting.
  for (const template of ['welcome', 'link', 'newLink']) {
    await add(template, template, { ...chen, unitName: '县委办公室' }, {}, informant, {
      shows: [],
      pagePath: /\/submit\?k=/,
      page: async (url, links) =>
        expect(await links.submitClaims(url.searchParams.get('k'))).toMatchObject({ personId: informant.personId }),
    });
  }
  for (const template of ['deskWelcome', 'deskNewLink']) {
    await add(template, template, { personId: editor.personId }, {}, editor, {
      shows: [],
      ...deskPage(undefined, () => editor),
    });
  }

  // A piece received: the acknowledgment, first and second draft.
  const ack = { ...chen, receipt: RECEIPT, title: TITLE, kind: 'info', pieceId: PIECE_ID, at: '2026-10-08T01:00:00Z' };
  await add(
    'ack',
    'ack',
    { ...ack, revision: 1, files: `${FILE_DOCUMENT}、${FILE_ATTACHMENT}`, fileCount: 2 },
    {},
    informant,
    {
      shows: [TITLE, FILE_DOCUMENT, FILE_ATTACHMENT],
      ...receiptPage,
    },
  );
  await add('revisionAck', 'ack', { ...ack, revision: 2 }, {}, informant, { shows: [TITLE], ...receiptPage });

  // The editors' review request and reminder: the whole piece, what changed, the earlier feedback, the files.
  const review = {
    pieceId: PIECE_ID,
    revision: 2,
    editorId: editor.personId,
    editorName: editor.name,
    exp,
  };
  const reviewPage = {
    pagePath: /\/review\/[^/?\s]+$/,
    page: async (url: URL, links: App['links']) => {
      expect(await links.reviewClaims(lastSegment(url, '/review/'))).toMatchObject({
        pieceId: PIECE_ID,
        revision: 2,
        editorId: editor.personId,
      });
    },
  };
  await add('review', 'review', review, revisionItem(), editor, {
    shows: [TITLE, PREVIOUS_TITLE, BODY_1, BODY_2, PREVIOUS_BODY, FEEDBACK, EARLIER_FEEDBACK, FILE_DOCUMENT],
    ...reviewPage,
  });
  const fromWord = { ...revisionItem(), bodyHtml: `<p>${BODY_1}</p><table><tr><td>${TABLE_CELL}</td></tr></table>` };
  await add('reminder', 'reminder', review, { subject: fromWord }, editor, {
    shows: [TITLE, BODY_1, TABLE_CELL, FILE_ATTACHMENT],
    ...reviewPage,
  });

  // The decisions, to the informant.
  const decided = { ...chen, receipt: RECEIPT, title: TITLE, pieceId: PIECE_ID, revision: 2 };
  await add('accepted', 'accepted', { ...decided, issueNo: 12, comment: REMARK }, {}, informant, {
    shows: [TITLE, REMARK],
    ...receiptPage,
  });
  await add('returned', 'returned', { ...decided, comment: FEEDBACK, reviseExp: exp }, {}, informant, {
    shows: [TITLE, FEEDBACK],
    pagePath: /\/revise\/[^/?\s]+$/,
    page: async (url, links) =>
      expect(await links.reviseClaims(lastSegment(url, '/revise/'))).toMatchObject({
        pieceId: PIECE_ID,
        revision: 2,
        informantId: informant.personId,
      }),
  });
  await add('rejected', 'rejected', { ...decided, comment: REASON }, {}, informant, {
    shows: [TITLE, REASON],
    ...receiptPage,
  });

  // The decisions, to the editors.
  const toEditor = { title: TITLE, receipt: RECEIPT, pieceId: PIECE_ID, editorId: editor.personId };
  await add('acceptedByYou', 'acceptedByYou', { ...toEditor, issueNo: 12 }, {}, editor, {
    shows: [TITLE],
    ...adoptionPage,
  });
  const handled = { ...toEditor, editorName: '李编辑', at: '2026-10-09T02:00:00Z' };
  await add('handled', 'handled', { ...handled, decision: 'accepted', issueNo: 12 }, {}, editor, {
    shows: [TITLE],
    ...adoptionPage,
  });
  // A return or a rejection only tells the other editors not to open it: no page to link, in either setting.
  await add('handledReturned', 'handled', { ...handled, decision: 'returned' }, {}, editor, { shows: [TITLE] });

  // An adoption upstream.
  const adoption: Partial<AdoptionRecord> = {
    type: 'adopted',
    pieceId: PIECE_ID,
    receipt: RECEIPT,
    informantId: informant.personId,
    unitId: informant.unitId!,
    kind: 'info',
    level: 'region',
    outlet: '《自治区组工信息》',
    issue: '35',
    adoptedOn: '2026-10-09',
    instruction: 'none',
    points: 10,
    title: TITLE,
  };
  await add('adopted', 'adopted', chen, adoption, informant, {
    shows: [TITLE],
    ...(app.mode === 'link' ? receiptPage : minePage),
  });

  // Calls: a topic, a research task, its reminder and the overdue notices.
  await add('topic', 'topic', chen, topic, informant, {
    shows: [TOPIC_TITLE, TOPIC_DESCRIPTION],
    ...answerPage({ topicId: topic.topicId }),
  });
  await add('task', 'task', chen, task, informant, {
    shows: [TASK_TITLE, TASK_DESCRIPTION],
    ...answerPage({ taskId: task.taskId }),
  });
  const notice = {
    task: { taskId: task.taskId, quarter: task.quarter, title: TASK_TITLE, due: task.due, lead: '李主任' },
  };
  await add('taskReminder', 'taskReminder', chen, notice, informant, {
    shows: [TASK_TITLE],
    ...answerPage({ taskId: task.taskId }),
  });
  await add('taskOverdue', 'taskOverdue', chen, notice, informant, { shows: [TASK_TITLE], ...minePage });
  await add(
    'taskOverdueEditors',
    'taskOverdueEditors',
    { name: editor.name, personId: editor.personId, units: BULLETIN_UNIT, count: 1 },
    notice,
    editor,
    {
      shows: [TASK_TITLE, BULLETIN_UNIT],
      ...deskPage('/desk/tasks?quarter=2026Q4', () => editor),
    },
  );

  // The year's 信息奖, to editors and leaders.
  const row = { rank: 1, points: 30, adoptions: 3, byLevel: {} as never, lastOn: '2026-09-01' };
  const award: SentAward = {
    award: {
      year: 2025,
      places: { units: 1, informants: 1, pieces: 1 },
      units: [{ ...row, id: 'u1', name: BULLETIN_UNIT }],
      informants: [{ ...row, id: informant.personId, name: informant.name, unitName: BULLETIN_UNIT }],
      pieces: [{ ...row, id: PIECE_ID, name: AWARD_PIECE, unitName: '红旗乡党委' }],
      provisional: false,
    },
    sentAt: '2026-01-05T02:00:00Z',
    sentBy: '王编辑',
    recipients: 2,
  };
  await add('award', 'award', { name: leader.name, personId: leader.personId }, award, leader, {
    shows: [AWARD_PIECE, BULLETIN_UNIT],
    ...(app.mode === 'link' ? deskPage('/desk/scores?year=2025', () => leader) : {}),
  });

  // The 月通报 and the quarterly research status: mail runs, each message with its attachment.
  const runOf = <C>(period: string, content: C, people: Person[]) => ({
    period,
    round: 1,
    content,
    recipients: people.map((p): RunRecipient => ({ personId: p.personId, name: p.name, email: p.email, role: p.role })),
    startedAt: NOW.toISOString(),
    startedBy: '王编辑',
  });
  const monthly = await app.bulletinKind.emails(runOf('2026-09', bulletin(), [leader]));
  const m = monthly({ personId: leader.personId, name: leader.name, email: leader.email, role: 'leader' });
  out.push({
    name: 'bulletin',
    subject: m.subject,
    text: m.text,
    html: m.html,
    attachments: m.attachments.map((a) => a.filename),
    shows: [TOPIC_TITLE, TASK_TITLE, BULLETIN_UNIT],
    pagePath: /\/bulletin\/[^/?\s]+$/,
    page: async (url, links) =>
      expect(await links.bulletinClaims(lastSegment(url, '/bulletin/'))).toEqual({ month: '2026-09' }),
  });
  const quarter = await app.quarterlyKind.emails(runOf('2026Q3', quarterly(), [leader, editor]));
  const q = quarter({ personId: leader.personId, name: leader.name, email: leader.email, role: 'leader' });
  out.push({
    name: 'quarterly',
    subject: q.subject,
    text: q.text,
    html: q.html,
    attachments: q.attachments.map((a) => a.filename),
    shows: [TASK_TITLE, NEXT_TASK_TITLE, BULLETIN_UNIT],
    ...(app.mode === 'link' ? deskPage('/desk/tasks?quarter=2026Q3', () => leader) : {}),
  });
  return out;
}

/** Every address in a text, as written (the plain part: one link a line; the HTML part: every href). */
const urlsIn = (text: string): string[] => text.match(/https?:\/\/[^\s"<>）]+/g) ?? [];
const hrefsIn = (html: string): string[] =>
  [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'"));

/** The desk's sign-in page (whichever desk page it goes on to), 我的报送 and the form: the roster is all they need. */
const PAGES_WITHOUT_DATA = /\/(desk\/|mine\?|submit\?k=)/;

const EVERY_TEMPLATE = [
  'welcome',
  'link',
  'newLink',
  'deskWelcome',
  'deskNewLink',
  'ack',
  'review',
  'reminder',
  'accepted',
  'returned',
  'rejected',
  'acceptedByYou',
  'handled',
  'adopted',
  'topic',
  'task',
  'taskReminder',
  'taskOverdue',
  'taskOverdueEditors',
  'award',
];

describe('the email content setting', () => {
  it('renders every registered template, and the 通报 and quarterly runs, in both settings', async () => {
    expect(Object.keys(apps.full!.templates).sort()).toEqual([...EVERY_TEMPLATE].sort());
    for (const mode of ['full', 'link'] as const) {
      const names = new Set((await renderEveryEmail(apps[mode]!)).map((e) => e.name));
      expect([...EVERY_TEMPLATE, 'bulletin', 'quarterly'].filter((n) => !names.has(n))).toEqual([]);
    }
  });

  it('in full mode carries the work text as always: titles, bodies, feedback, topics and tasks, figures, attachments', async () => {
    for (const email of await renderEveryEmail(apps.full!)) {
      const all = `${email.subject}\n${email.text}\n${email.html}`;
      expect([email.name, email.shows.filter((s) => !all.includes(s))]).toEqual([email.name, []]);
    }
    const emails = await renderEveryEmail(apps.full!);
    const byName = new Map(emails.map((e) => [e.name, e]));
    expect(byName.get('ack')!.subject).toBe(`已收到您的稿件（回执号 ${RECEIPT}）：${TITLE}`);
    expect(byName.get('review')!.subject).toBe(`【待审核】信息｜县委办公室：${TITLE}（第 2 稿）`);
    expect(byName.get('topic')!.subject).toBe(`点题：${TOPIC_TITLE}（2026年10月30日截止）`);
    expect(byName.get('bulletin')!.attachments).toEqual([expect.stringMatching(/\.xlsx$/)]);
    expect(byName.get('quarterly')!.attachments).toEqual([expect.stringMatching(/\.xlsx$/)]);
  });

  it('in link mode carries none of it, in the subject, either part or an attachment, and says what happened', async () => {
    const emails = await renderEveryEmail(apps.link!);
    for (const email of emails) {
      const parts = {
        subject: email.subject,
        text: email.text,
        html: email.html,
        attachments: email.attachments.join('\n'),
      };
      for (const [part, content] of Object.entries(parts)) {
        expect([email.name, part, SECRETS.filter((s) => content.includes(s))]).toEqual([email.name, part, []]);
      }
      expect([email.name, email.attachments]).toEqual([email.name, []]);
    }
    const byName = new Map(emails.map((e) => [e.name, e]));
    expect(byName.get('ack')!.subject).toBe(`已收到您的稿件（回执号 ${RECEIPT}）`);
    expect(byName.get('revisionAck')!.subject).toBe(`已收到您的修改稿（回执号 ${RECEIPT}，第 2 稿）`);
    expect(byName.get('review')!.subject).toBe(`【待审核】信息｜县委办公室：回执号 ${RECEIPT}（第 2 稿）`);
    expect(byName.get('reminder')!.subject).toBe(`【催办】已等待 2 天：回执号 ${RECEIPT}`);
    expect(byName.get('accepted')!.subject).toBe(`您的稿件已采用（回执号 ${RECEIPT}，《组工专报》第 12 期）`);
    expect(byName.get('accepted')!.text).toContain(
      `您报送的稿件（回执号 ${RECEIPT}）已采用，编入《组工专报》第 12 期。`,
    );
    expect(byName.get('returned')!.subject).toBe(`您的稿件需要修改（回执号 ${RECEIPT}）`);
    expect(byName.get('rejected')!.subject).toBe(`您的稿件未予采用（回执号 ${RECEIPT}）`);
    expect(byName.get('handledReturned')!.subject).toBe(`已由 李编辑 处理（退回修改）：回执号 ${RECEIPT}`);
    expect(byName.get('adopted')!.subject).toBe(`您的稿件被自治区采用：回执号 ${RECEIPT}`);
    expect(byName.get('topic')!.subject).toBe('点题：一项新的点题（2026年10月30日截止）');
    expect(byName.get('task')!.subject).toBe('重点调研任务：2026年第四季度一项新任务（2026年11月30日截止）');
    // What is left out is said to be on the page, so nobody takes the short email for the whole.
    for (const name of [
      'ack',
      'review',
      'accepted',
      'returned',
      'rejected',
      'topic',
      'task',
      'bulletin',
      'quarterly',
    ]) {
      expect([name, byName.get(name)!.text]).toEqual([name, expect.stringContaining('不通过邮件发送')]);
    }
  });

  it.each(['full', 'link'] as const)(
    'in %s mode every email still links to its page, in both parts, with a genuine token',
    async (mode) => {
      const app = apps[mode]!;
      for (const email of await renderEveryEmail(app)) {
        const { page, pagePath } = email;
        if (!page || !pagePath) continue;
        const found = urlsIn(email.text).filter((u) => pagePath.test(u));
        expect([email.name, found.length]).toEqual([email.name, 1]);
        expect([email.name, hrefsIn(email.html)]).toEqual([email.name, expect.arrayContaining(found)]);
        await page(new URL(found[0]!), app.links);
        // Pages that need no piece, topic or 通报 behind them open here too (the rest: emailText.link.test.ts opens a
        // real piece's receipt, review and revise pages).
        if (PAGES_WITHOUT_DATA.test(found[0]!))
          expect([email.name, (await fetch(found[0]!)).status]).toEqual([email.name, 200]);
      }
    },
  );

  it('leaves a return or a rejection to the other editors without a link, as always', async () => {
    for (const mode of ['full', 'link'] as const) {
      const handled = (await renderEveryEmail(apps[mode]!)).find((e) => e.name === 'handledReturned')!;
      expect([mode, urlsIn(handled.text)]).toEqual([mode, []]);
    }
  });
});

describe('the setting itself', () => {
  const base = {
    TABLE_NAME: 't',
    COUNTY_ID: 'c',
    PUBLIC_URL: 'https://example.invalid',
    SENDER: 'a@example.invalid',
    SIGNING_KEY: 'k'.repeat(32),
  };
  const read = (value?: string) => readConfig({ ...base, ...(value === undefined ? {} : { EMAIL_FULL_TEXT: value }) });

  it('is full unless set, takes full or link in any case, and refuses anything else naming the variable', () => {
    expect(read().emailText).toBe('full');
    expect(read(' ').emailText).toBe('full');
    expect(read('full').emailText).toBe('full');
    expect(read('LINK').emailText).toBe('link');
    expect(() => read('links')).toThrow(/EMAIL_FULL_TEXT must be full or link \(got links\)/);
    expect(() => read('true')).toThrow(/EMAIL_FULL_TEXT/);
  });
});
