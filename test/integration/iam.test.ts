// Each function's permissions (beside the route table in shared/web/routes.ts, granted as listed by the stack) are
// exactly what its code uses: every call it makes while serving a real request is listed (nothing would be denied on
// AWS), and everything listed is a command its bundle holds (nothing is granted that its code cannot call).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handler as bulletinJob } from '../../functions/bulletin';
import { handler as mailEvents } from '../../functions/mailEvents';
import { handler as quarterlyJob } from '../../functions/quarterly';
import { handler as remindersJob } from '../../functions/reminders';
import { handler as sweep } from '../../functions/sweeper';
import { esbuildOptions, LAZY_MODULES, repoRoot } from '../../infra/functionBuild';
import { setClock } from '../../shared/core/clock';
import { config } from '../../shared/core/config';
import { importRoster } from '../../shared/roster/importRoster';
import { listRoster } from '../../shared/roster/people';
import {
  eventHandlers,
  functionSpec,
  type HandlerName,
  type HandlerSpec,
  type HttpFunctionName,
  handlers,
  handlersOf,
  httpFunctions,
  jobs,
} from '../../shared/web/routes';
import { bounceMessage, complaintMessage, snsEvent } from '../fixtures/sesEvents';
import { type DeskSession, signInLinkOf, signInWith } from '../support/deskSession';
import { PNG_BYTES, paperDocx } from '../support/docx';
import { faults } from '../support/faults';
import {
  form,
  LONG_BODY,
  linkIn,
  rosterCsv,
  type StoredEmail,
  startTestCounty,
  type TestCounty,
} from '../support/harness';

type Name = HandlerName | keyof typeof jobs | keyof typeof eventHandlers;
const specs: Record<Name, HandlerSpec> = { ...handlers, ...jobs, ...eventHandlers };

let county: TestCounty;
const observed = new Map<Name, Set<string>>();
const T = new Date('2026-04-01T02:00:00Z').getTime();

beforeAll(async () => {
  setClock(new Date(T));
  county = await startTestCounty();
  expect((await importRoster(rosterCsv(county.domain))).ok).toBe(true);
  faults();
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

/** Runs `step` as function `name` would serve it, recording the AWS commands it sends (service:Action). */
async function as<T>(name: Name, step: () => Promise<T>): Promise<T> {
  const injector = faults();
  injector.count();
  const result = await step();
  const seen = observed.get(name) ?? new Set<string>();
  for (const call of injector.calls) seen.add(`${call.service}:${call.command.replace(/Command$/, '')}`);
  injector.disarm();
  observed.set(name, seen);
  return result;
}

const url = (path: string) => `${county.baseUrl}${path}`;
const newest = async (to: string, where: (m: StoredEmail) => boolean) =>
  (await county.waitForMails(to, 1)).filter(where).at(-1) ?? (await county.mails(to)).filter(where).at(-1);

/**
 * The operations a bundle holds commands for (GetItem, SendEmail, GetSecretValue…), as the SDK names them: its own
 * and those of the lazily loaded modules it loads (files of their own beside it in the function's asset).
 */
async function bundleCommands(file: string): Promise<{ commands: Set<string>; readsSigningKey: boolean }> {
  const code = async (entry: string) =>
    (
      await build({
        ...esbuildOptions,
        entryPoints: [join(repoRoot, entry)],
        write: false,
        outfile: 'x.js',
      })
    ).outputFiles[0]!.text;
  // The bundle, and every lazy module it loads, and those they load in turn (each built as a deploy builds it).
  const texts = [await code(file)];
  const loaded = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of LAZY_MODULES) {
      if (loaded.has(m.file) || !texts.some((t) => t.includes(`"./${m.file}"`))) continue;
      loaded.add(m.file);
      texts.push(await code(m.source));
      grew = true;
    }
  }
  // Each SDK command class is built from its service's schema and its operation's name.
  return {
    commands: new Set(
      texts.flatMap((text) => [...text.matchAll(/extends [\w$]+\([\w$]+,[\w$]+,"(\w+)",[\w$]+\)/g)].map((m) => m[1]!)),
    ),
    // The link keys' loader (shared/links/signingKey.ts): GetSecretValue alone may be the SMTP account's.
    readsSigningKey: texts.some((text) => text.includes('baosong.signingKeys')),
  };
}

const listed = (spec: HandlerSpec) => [
  ...spec.table.map((a) => `dynamodb:${a}`),
  ...(spec.email ? ['ses:SendEmail'] : []),
  ...(spec.attachments ? ['ses:SendRawEmail'] : []),
  ...(spec.files ?? []).map((a) => `s3:${a}`),
];

describe('the permissions listed beside the route table', () => {
  it('cover every call each function makes while serving, and nothing its bundle cannot call', async () => {
    const zhang = `zhang@${county.domain}`;
    const editor = `editor@${county.domain}`;
    const welcome = await newest(zhang, (m) => m.subject.startsWith('欢迎'));
    const submitLink = linkIn(welcome);
    const k = new URL(submitLink).searchParams.get('k')!;

    await as('home', () => fetch(url('/')));
    await as('requestLink', () => fetch(url('/link'), form({ email: zhang })));
    await as('submitForm', () => fetch(submitLink));
    const created = await as('createSubmission', () =>
      fetch(url('/submissions'), form({ k, kind: 'info', title: '权限检查稿件', body: LONG_BODY })),
    );
    // The browser lands on its form again (报送成功), which links the read-only receipt page.
    const landed = await (await fetch(url(created.headers.get('location')!))).text();
    const receiptPath = /<a href="([^"]+)">查看回执和审核进度<\/a>/.exec(landed)![1]!;
    await as('showSubmission', () => fetch(url(receiptPath)));
    // A research paper with its Word document and a photo, as the form uploads them; its files downloaded.
    const paper = new FormData();
    for (const [name, value] of Object.entries({ k, kind: 'research', title: '', body: '' })) paper.append(name, value);
    paper.append('document', new Blob([new Uint8Array(await paperDocx())]), '权限检查调研.docx');
    paper.append('attachments', new Blob([new Uint8Array(PNG_BYTES)]), '照片.png');
    const uploaded = await as('createSubmission', () =>
      fetch(url('/submissions'), { method: 'POST', body: paper, redirect: 'manual' }),
    );
    const paperReceipt = new URL(url(uploaded.headers.get('location')!)).searchParams.get('sent')!;
    await as('pieceFile', () => fetch(url(`/submissions/${paperReceipt}/files/1-1?k=${encodeURIComponent(k)}`)));
    const review = linkIn(await newest(editor, (m) => m.subject.includes('权限检查稿件')), '/review/');
    await as('reviewPage', () => fetch(review));
    await as('decide', () => fetch(review, form({ decision: 'return', comment: '请补充。' })));
    const receipt = receiptPath.match(/\/submissions\/([^?]+)/)![1]!;
    const r = new URL(url(receiptPath)).searchParams.get('r')!;
    await as('renewLink', () => fetch(url(`/submissions/${receipt}/revise-link`), form({ r })));
    const revise = linkIn(await newest(zhang, (m) => m.subject.startsWith('您的稿件需要修改')), '/revise/');
    await as('reviseForm', () => fetch(revise));
    const revised = new FormData();
    for (const [name, value] of Object.entries({ kind: 'info', title: '权限检查稿件（二稿）', body: LONG_BODY })) {
      revised.append(name, value);
    }
    revised.append('attachments', new Blob([new Uint8Array(PNG_BYTES)]), '照片.png');
    await as('revise', () => fetch(revise, { method: 'POST', body: revised, redirect: 'manual' }));
    // The desk, signed in from the editor's welcome (the sign-in link's page, then its button): every page, a
    // decision, an upload and a button of the roster.
    const signinLink = await signInLinkOf(county, editor);
    let desk: DeskSession = await as('deskSignin', () => signInWith(county.baseUrl, signinLink));
    /** A desk request served as function `name`: refused (401, 403…), it would show few calls, so it must succeed. */
    const onDesk = async (name: Name, path: string, init?: RequestInit) => {
      const res = await as(name, () => desk.fetch(path, init));
      expect({ name, path, status: res.status < 400 ? 'ok' : res.status }).toEqual({ name, path, status: 'ok' });
      return res;
    };
    for (const page of ['', '/pieces', `/pieces/${receipt}`, '/issues', '/roster', '/figures']) {
      await onDesk('desk', `${desk}${page}`);
    }
    await onDesk('deskExport', `${desk}/figures/download?format=xlsx`);
    await onDesk('pieceFile', `${desk}/pieces/${paperReceipt}/files/1-2`);
    await onDesk('deskDecide', `${desk}/pieces/${receipt}`, form({ decision: 'accept', issue: '1', revision: '2' }));
    // The acceptance's confirmation carries the adoption link: its page, and one adoption recorded from it.
    const adoption = linkIn(await newest(editor, (m) => m.subject.startsWith('已采用')), '/adoption/');
    await as('adoptionPage', () => fetch(adoption));
    const adopted = {
      level: 'region',
      outlet: '《新疆组工信息》',
      issue: '1',
      date: '2026-04-01',
      instruction: 'region',
    };
    await as('adoptionRecord', () => fetch(adoption, form(adopted)));
    // On the desk: another adoption, its withdrawal, the 采用 and 积分 pages, the ranking's download, a table of
    // contents, a rules file and the 信息奖.
    const adoptedOnDesk = await onDesk('deskAdoption', `${desk}/pieces/${receipt}/adoptions`, {
      ...form({ ...adopted, level: 'prefecture' }),
      headers: { ...form({}).headers, accept: 'application/json' },
    });
    const { adoptionId } = (await adoptedOnDesk.json()) as { adoptionId: string };
    await onDesk(
      'deskAdoption',
      `${desk}/pieces/${receipt}/adoptions/${adoptionId}/withdraw`,
      form({ reason: '登记有误' }),
    );
    for (const page of ['/adoptions', '/scores']) await onDesk('deskRecords', `${desk}${page}`);
    await onDesk('deskExport', `${desk}/scores/download?format=csv`);
    const toc = new FormData();
    toc.append(
      'file',
      new Blob([`回执号,采用级别,刊物,期号,采用日期\n${receipt},中央,《组工通讯》,2,2026-04-01\n`]),
      'toc.csv',
    );
    await onDesk('deskAdoptionImport', `${desk}/adoptions`, { method: 'POST', body: toc });
    const rules = new FormData();
    rules.append('file', new Blob([readFileSync(join(repoRoot, 'shared/scoring/defaultRules.json'))]), 'rules.json');
    rules.append('from', '2026-04-01');
    await onDesk('deskScores', `${desk}/scores/rules`, { method: 'POST', body: rules });
    // The 信息奖 of a year not over yet: refused (409) once the session and the year's figures are read.
    const award = await as('deskScores', () => desk.fetch(`${desk}/scores/award`, form({ year: '2026' })));
    expect(award.status).toBe(409);
    const upload = new FormData();
    upload.append('file', new Blob([rosterCsv(county.domain)], { type: 'text/csv' }), 'roster.csv');
    await onDesk('deskRoster', `${desk}/roster`, { method: 'POST', body: upload });
    const zhou = (await listRoster(config().countyId)).people.find((p) => p.email === `zhou@${county.domain}`)!;
    await onDesk('deskPerson', `${desk}/roster/people/${zhou.personId}`, form({ action: 'deactivate' }));
    await onDesk('deskPerson', `${desk}/roster/people/${zhou.personId}`, form({ action: 'activate' }));
    await as('mine', () => fetch(url(`/mine?k=${k}`)));
    await as('methodNotAllowed', () => fetch(url('/'), { method: 'PUT' }));
    await as('fallback', () => fetch(url('/no-such-page')));
    setClock(new Date(T + 4 * 86_400_000));
    await as('reminders', () => remindersJob());
    await as('sweeper', () => sweep());
    // Four days on, the session of before has ended: signed in again with the same link (7 days valid).
    desk = await as('deskSignin', () => signInWith(county.baseUrl, signinLink));
    // 点题 on the desk: the list, a topic issued (its emails sent at once), its page, its close.
    await onDesk('deskTopics', `${desk}/topics`);
    await onDesk('deskTopics', `${desk}/topics`, form({ title: '权限检查点题', due: '2026-04-30' }));
    const topicPath = /<a href="([^"]+\/topics\/T[^"]+)">权限检查点题<\/a>/.exec(
      await (await desk.fetch(`${desk}/topics`)).text(),
    )?.[1];
    await onDesk('deskTopics', topicPath!);
    await onDesk('deskTopics', `${topicPath}/close`, form({}));
    await onDesk('deskBulletin', `${desk}/bulletin`);
    await onDesk('deskBulletin', `${desk}/bulletin/download?month=2026-03`);
    // February's 通报 from the desk's button: queued, then sent by the sweeper (the 通报 loaded on use).
    await onDesk('deskBulletin', `${desk}/bulletin/send`, form({ month: '2026-02' }));
    await as('sweeper', () => sweep());
    // 重点调研 on the desk: the matrix, a task assigned (its emails sent at once), the download, its close.
    await onDesk('deskTasks', `${desk}/tasks`);
    const assigned = await onDesk('deskTasks', `${desk}/tasks`, {
      ...form({ quarter: '2026Q2', title: '权限检查调研任务', due: '2026-06-30' }),
      headers: { ...form({}).headers, accept: 'application/json' },
    });
    const { task } = (await assigned.json()) as { task: { taskId: string } };
    await onDesk('deskTasks', `${desk}/tasks/download?quarter=2026Q2&format=xlsx`);
    await onDesk('deskTasks', `${desk}/tasks/${task.taskId}/close`, form({}));
    // 操作记录: the month's actions, and the same rows as a workbook.
    await onDesk('deskAudit', `${desk}/audit`);
    await onDesk('deskAudit', `${desk}/audit/download?format=xlsx`);
    // 退出 (the session deleted: the desk asks to sign in again), the page after it, and a fresh sign-in link asked
    // for by email (the button on the page of an expired link).
    const signedOut = await onDesk('deskSignin', '/desk/signout', { method: 'POST', redirect: 'manual' });
    expect(signedOut.status).toBe(303);
    expect((await desk.fetch(`${desk}`)).status).toBe(401);
    await as('deskSignin', () => fetch(url('/desk/signedout')));
    const renewed = await as('deskSignin', () => fetch(`${signinLink}/renew`, form()));
    expect(renewed.status).toBe(200);
    // The 通报 of March as the schedule sends it, then its web view from the link in it.
    await as('bulletin', () => bulletinJob({ scheduledTime: new Date(T + 4 * 86_400_000).toISOString() }));
    const bulletinMail = await newest(editor, (m) => m.subject === '2026年3月组工信息工作通报');
    await as('bulletinView', () => fetch(linkIn(bulletinMail, '/bulletin/')));
    // The quarterly research status of the first quarter, as the schedule sends it on 1 April.
    await as('quarterly', () => quarterlyJob({ scheduledTime: '2026-04-01T01:00:00Z' }));
    // SES's bounce of an informant's address and an editor's complaint, as SNS delivers them.
    await as('mailEvents', () =>
      mailEvents(snsEvent(bounceMessage(`zhou@${county.domain}`), complaintMessage(`editor@${county.domain}`))),
    );

    for (const [name, spec] of Object.entries(specs) as [Name, HandlerSpec][]) {
      const calls = [...(observed.get(name) ?? [])].filter((c) => !c.startsWith('secretsmanager:')).sort();
      const { commands: bundle, readsSigningKey } = await bundleCommands(spec.file);
      expect({ name, unlisted: calls.filter((c) => !listed(spec).includes(c)) }).toEqual({ name, unlisted: [] });
      const operation = (action: string) => action.slice(action.indexOf(':') + 1);
      expect({ name, notInBundle: listed(spec).filter((a) => !bundle.has(operation(a))) }).toEqual({
        name,
        notInBundle: [],
      });
      // The signing key is read by exactly the functions whose code can read it.
      expect({ name, readsSecret: readsSigningKey }).toEqual({ name, readsSecret: spec.secret });
    }
    // The exercise reached every handler, and the sign-in's writes were among the calls checked.
    expect([...observed.keys()].sort()).toEqual(Object.keys(specs).sort());
    expect([...observed.get('deskSignin')!]).toEqual(
      expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
    );
    // A deployed HTTP function is granted the union of its routes' lines: every call its handlers made is in it.
    for (const fn of Object.keys(httpFunctions) as HttpFunctionName[]) {
      const granted = listed({ file: '', ...functionSpec(fn) });
      const made = handlersOf(fn).flatMap((name) => [...(observed.get(name) ?? [])]);
      const ungranted = [...new Set(made)].filter((c) => !c.startsWith('secretsmanager:') && !granted.includes(c));
      expect({ fn, ungranted }).toEqual({ fn, ungranted: [] });
    }
  }, 120_000);
});
