// Fault injection on the adoptions (采用) of accepted pieces and what rides on them: recording one from the editor's
// email link (POST /adoption/{token}) and from the desk (POST /desk/pieces/{id}/adoptions), its 撤销 on the desk
// (POST /desk/pieces/{id}/adoptions/{id}/withdraw), the year's 信息奖 sent from the desk (POST /desk/scores/award), a
// table of contents uploaded (POST /desk/adoptions, multipart), a rules file uploaded (POST /desk/scores/rules) and a
// re-scoring (`rules rescore`), each at every call × lost answer, throttle, time-out, on fresh state (on the desk,
// the editor signed in before the fault).
// After recovery (the editor pressing again, then the sweeper): one adoption record per adoption, one withdrawal, one
// award; the first answer 200 or 503 (never another 5xx, never a 4xx), a retry answered 200, what was typed kept on a
// 503 page; every email sent once (at most twice where SES itself lost its answer).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { repoRoot } from '../../../infra/functionBuild';
import { adoptionIdOf } from '../../../shared/adoption/adoptionInput';
import { dayOf } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { awardKey } from '../../../shared/scores/award';
import { rescore } from '../../../shared/scores/rescore';
import { setRules } from '../../../shared/scores/setRules';
import { readRuleVersions } from '../../../shared/scoring/ruleVersions';
import { db, tableName } from '../../../shared/store/db';
import { keys } from '../../../shared/store/keys';
import { runFaultMatrix } from '../../support/faultCases';
import {
  countMails,
  type FaultCounty,
  faultDesk,
  firstAnswerProblem,
  newestMail,
  postForm,
  recover,
  sesMayRepeat,
  setUp,
  setUpPost,
  startFaultCounty,
  steppingClock,
  unfiredCases,
} from '../../support/faultState';
import { LONG_BODY, linkIn, type StoredEmail } from '../../support/harness';
import { jsonPost } from '../desk/deskSupport';

let fc: FaultCounty;
/** 2026-09-20 10:00 Asia/Shanghai; each case with a piece moves it on by a day (about 90 days in all). */
const clock = steppingClock(new Date('2026-09-20T02:00:00Z').getTime());
const DAY = 86_400_000;

const AWARD_SUBJECT = '年度组工信息“信息奖”评选结果';
const OUTLET = '《新疆组工信息》';
const REASON = '期号登记错误';

beforeAll(async () => {
  fc = await startFaultCounty();
});
afterAll(async () => {
  await fc.close();
});

/** wang's desk (signed in again, no fault armed, once an hour of the clock has passed) and a form post on it. */
const { desk, deskPost } = faultDesk(() => fc, clock, 'wang');

const url = (path: string) => `${fc.county.baseUrl}${path}`;

const noteUnfired = unfiredCases('adoption faults');
/** The message of a page, for a violation's sentence. */
const noticeOf = (html: string) => html.match(/<p>([^<]+)<\/p>/)?.[1] ?? '';

/** The newest mail to `to` that `where` picks, waited for briefly. */
const mailTo = (to: string, where: (m: StoredEmail) => boolean) => newestMail(fc.county, to, where);

interface AcceptedPiece {
  title: string;
  receipt: string;
  /** The day it was sent (Asia/Shanghai). */
  sentOn: string;
  /** The day after it was sent, a day already past: the adoption's date. */
  adoptedOn: string;
  /** wang's adoption link, from his 已采用 confirmation. */
  adoptionLink: string;
}

/** The day after `day` (both `YYYY-MM-DD`, Asia/Shanghai). */
const dayAfter = (day: string) => dayOf(new Date(new Date(`${day}T12:00:00+08:00`).getTime() + DAY));

/** 23:50 Asia/Shanghai (15:50 UTC) of the clock's day, or of the next day when that is past. */
function toLateEvening(): void {
  const t = clock.now();
  let evening = Math.floor(t / DAY) * DAY + (15 * 60 + 50) * 60_000;
  if (evening <= t) evening += DAY;
  clock.advance(evening - t);
}

/** One piece sent by `informant` and accepted by wang on the desk into 《组工专报》 issue 7 (set-up, no faults). */
async function acceptOne(title: string, informant: 'zhang' | 'zhou'): Promise<Omit<AcceptedPiece, 'adoptedOn'>> {
  const sentOn = dayOf(new Date(clock.now()));
  const res = await fetch(
    url('/submissions'),
    jsonPost({ k: fc.keys[informant]!, kind: 'info', title, body: LONG_BODY }),
  );
  expect(res.status).toBe(201);
  const { receipt } = (await res.json()) as { receipt: string };
  const decided = await setUp(() =>
    deskPost(`/desk/pieces/${receipt}`, { decision: 'accept', issue: '7', revision: '1' }),
  );
  expect(decided.status).toBe(200);
  const confirmation = await mailTo(
    fc.address('wang'),
    (m) => m.subject.startsWith('已采用') && (m.body.text ?? '').includes(`回执号 ${receipt}`),
  );
  return { title, receipt, sentOn, adoptionLink: linkIn(confirmation, '/adoption/') };
}

/**
 * Pieces sent and accepted late in the evening; then the clock moves on past the next midnight, so the day after
 * they were sent is a past day (an adoption's date may be neither in the future nor before the piece was sent).
 */
async function acceptedPieces(...pieces: [title: string, informant: 'zhang' | 'zhou'][]): Promise<AcceptedPiece[]> {
  toLateEvening();
  const accepted: AcceptedPiece[] = [];
  for (const [title, informant] of pieces) {
    const piece = await acceptOne(title, informant);
    accepted.push({ ...piece, adoptedOn: dayAfter(piece.sentOn) });
  }
  clock.advance(DAY + 20 * 60_000);
  return accepted;
}

/** The adoption items (`A#…`) of one piece, straight from the table (a consistent Query of its partition). */
async function adoptionItemsOf(receipt: string): Promise<Record<string, unknown>[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':pk': keys.piece(config().countyId, receipt), ':a': 'A#' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** The adoption's fields as the link's form sends them. */
const adoptionFields = (issue: string, date: string, level = 'region') => ({
  level,
  outlet: OUTLET,
  issue,
  date,
  instruction: level === 'region' ? 'region' : 'none',
});

/** Violations unless the piece holds exactly the one adoption `fields` name, not withdrawn. */
async function oneAdoption(receipt: string, fields: ReturnType<typeof adoptionFields>): Promise<string[]> {
  const id = adoptionIdOf({ level: fields.level as 'region', outlet: fields.outlet, issue: fields.issue });
  const items = await adoptionItemsOf(receipt);
  const ok = items.length === 1 && items[0]?.sk === `A#${id}` && items[0]?.type === 'adopted';
  return ok ? [] : [`adoption items stored for ${receipt}: ${JSON.stringify(items.map((i) => [i.sk, i.type]))}`];
}

describe('POST /desk/scores/award under injected faults', () => {
  let winner = '';
  beforeAll(async () => {
    // December: the month the year's award may be sent (the later matrices go on from there).
    clock.advance(Date.parse('2026-12-01T02:00:00Z') - clock.now());
    // The year has one adoption, so the award has a piece (and its unit and informant) to name.
    const [piece] = await acceptedPieces(['信息奖故障 的获奖稿件', 'zhang']);
    winner = piece!.title;
    expect((await setUpPost(piece!.adoptionLink, adoptionFields('1', piece!.adoptedOn))).status).toBe(200);
    await recover(clock);
  });

  it('freezes the award once and sends each editor its email once, by the sweeper', async () => {
    const send = () => deskPost('/desk/scores/award', { year: '2026' });
    const awardItems = async () => {
      const out = await db().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.award(config().countyId, 2026) },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).filter((i) => String(i.pk).endsWith('#AWARD#2026'));
    };
    const result = await runFaultMatrix({
      route: 'POST /desk/scores/award',
      prepare: async () => {
        clock.advance(60_000);
        // Each case sends the year's award afresh: the one of the case before is taken away (set-up, no faults).
        await db().send(new DeleteCommand({ TableName: tableName(), Key: awardKey(config().countyId, 2026) }));
        await fc.clearMailbox();
        await desk(); // signed in before the fault is armed
        return {};
      },
      act: () => send(),
      verify: async (_state, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('信息奖', faultCase);
        if (first.status === 200) {
          if (!first.html.includes('已发送 2026 年度信息奖')) problems.push(`200 with "${noticeOf(first.html)}"`);
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.status !== 503) problems.push(`first page: "${noticeOf(first.html)}"`);
          const again = await send();
          if (again.status !== 200) problems.push(`the retry answered ${again.status}: "${noticeOf(again.html)}"`);
        }
        const items = await awardItems();
        if (items.length !== 1) problems.push(`${items.length} award items`);
        const pieces = (items[0]?.award as { pieces?: { name: string }[] } | undefined)?.pieces ?? [];
        if (items.length === 1 && !pieces.some((p) => p.name.includes(winner))) {
          problems.push(`the award's 优秀信息: ${JSON.stringify(pieces.map((p) => p.name))}`);
        }
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        for (const editor of ['wang', 'li']) {
          const n = countMails(mails, fc.address(editor), AWARD_SUBJECT);
          if (n < 1 || n > most) problems.push(`${n} award emails to ${editor}`);
        }
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // The desk's button sends no email itself: the award's emails are the sweeper's.
    expect(result.calls.ses).toBe(0);
  }, 300_000);
});

/** Where an editor records an adoption: the link in the acceptance's email, or the desk's piece page. */
const RECORDED_FROM: [
  route: string,
  record: (piece: AcceptedPiece, fields: Record<string, string>) => ReturnType<typeof postForm>,
][] = [
  ['POST /adoption/{token}', (piece, fields) => postForm(piece.adoptionLink, fields)],
  ['POST /desk/pieces/{id}/adoptions', (piece, fields) => deskPost(`/desk/pieces/${piece.receipt}/adoptions`, fields)],
];

describe.each(RECORDED_FROM)('%s under injected faults', (route, record) => {
  it('records one adoption, answers truly, keeps what was typed, and tells the informant once', async () => {
    let n = 0;
    const result = await runFaultMatrix({
      route,
      prepare: async (label) => {
        clock.advance(60_000);
        n += 1;
        const [piece] = await acceptedPieces([`登记采用故障 ${label}`, 'zhang']);
        await fc.clearMailbox();
        await desk(); // signed in before the fault is armed
        return { ...piece!, fields: adoptionFields(`2026年第${n}期`, piece!.adoptedOn) };
      },
      act: (piece) => record(piece, piece.fields),
      verify: async (piece, first, faultCase) => {
        const { title, receipt, fields } = piece;
        const problems: string[] = [];
        noteUnfired(route, faultCase);
        if (first.status === 200) {
          if (!first.html.includes('已登记')) problems.push('200 without 已登记');
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.status !== 503) problems.push(`first page: "${noticeOf(first.html)}"`);
          if (first.status === 503 && !first.html.includes(OUTLET)) problems.push('the outlet typed is gone');
          if (first.status === 503 && !first.html.includes(fields.issue)) problems.push('the issue typed is gone');
          // The editor presses 登记 again: done, or found done (the record already there), 200 either way.
          const again = await record(piece, fields);
          if (again.status !== 200) {
            problems.push(`the retry answered ${again.status}: "${noticeOf(again.html)}"`);
          }
        }
        problems.push(...(await oneAdoption(receipt, fields)));
        await recover(clock);
        const mails = await fc.county.mails();
        const most = sesMayRepeat(faultCase) ? 2 : 1;
        const told = mails.filter(
          (m) =>
            m.destination.to.includes(fc.address('zhang')) &&
            m.subject.startsWith('您的稿件被自治区采用') &&
            m.subject.includes(title),
        ).length;
        if (told < 1 || told > most) problems.push(`${told} 被自治区采用 emails to the informant`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // The editor (with the roster's summary); the piece's events, adoptions and rules; the informant; the record.
    expect(result.calls.dynamodb).toBeGreaterThanOrEqual(5);
    expect(result.calls.ses).toBeGreaterThanOrEqual(1);
  }, 300_000);
});

describe('POST /desk/pieces/{id}/adoptions/{adoptionId}/withdraw (撤销) under injected faults', () => {
  it('records one withdrawal and answers 200 when pressed again', async () => {
    let n = 0;
    const withdraw = (receipt: string, adoptionId: string) =>
      deskPost(`/desk/pieces/${receipt}/adoptions/${adoptionId}/withdraw`, { reason: REASON });
    const result = await runFaultMatrix({
      route: 'POST /desk/pieces/{id}/adoptions/{adoptionId}/withdraw',
      prepare: async (label) => {
        clock.advance(60_000);
        n += 1;
        const [piece] = await acceptedPieces([`撤销故障 ${label}`, 'zhang']);
        const { receipt, adoptedOn } = piece!;
        const fields = adoptionFields(`撤${n}`, adoptedOn, 'prefecture');
        const recorded = await (await desk()).fetch(`/desk/pieces/${receipt}/adoptions`, jsonPost(fields));
        expect(recorded.status).toBe(200);
        const { adoptionId } = (await recorded.json()) as { adoptionId: string };
        await recover(clock);
        await fc.clearMailbox();
        await desk(); // signed in before the fault is armed
        return { receipt, adoptionId };
      },
      act: ({ receipt, adoptionId }) => withdraw(receipt, adoptionId),
      verify: async ({ receipt, adoptionId }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('撤销', faultCase);
        if (first.status === 200) {
          // The page under the button says it is done (the adoption's line reads 已撤销, the notice above it 已撤销 …).
          if (!first.html.includes('已撤销')) {
            const shown = first.html.includes('已登记的上级采用')
              ? 'the adoptions without'
              : 'no adoptions part and no';
            problems.push(`200 with ${shown} 已撤销: the editor is not told the withdrawal was made`);
          }
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.status !== 503) problems.push(`first page: "${noticeOf(first.html)}"`);
          const again = await withdraw(receipt, adoptionId);
          if (again.status !== 200)
            problems.push(`撤销 pressed again answered ${again.status}: "${noticeOf(again.html)}"`);
        }
        const items = await adoptionItemsOf(receipt);
        const withdrawals = items.filter((i) => i.sk === `A#${adoptionId}#W`);
        if (withdrawals.length !== 1 || withdrawals[0]?.reason !== REASON) {
          problems.push(`withdrawals stored: ${JSON.stringify(withdrawals.map((w) => w.reason))}`);
        }
        if (items.filter((i) => i.sk === `A#${adoptionId}`).length !== 1) problems.push('the adoption itself is gone');
        await recover(clock);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    expect(result.calls.ses).toBe(0);
  }, 300_000);
});

describe('POST /desk/adoptions (a table of contents) under injected faults', () => {
  it('records each line once, also when uploaded again, and tells each informant once', async () => {
    let n = 0;
    const upload = async (csv: string) => {
      const body = new FormData();
      body.append('file', new Blob([Buffer.from(csv, 'utf8')], { type: 'text/csv' }), '采用目录.csv');
      const res = await (await desk()).fetch('/desk/adoptions', { method: 'POST', body, redirect: 'manual' });
      return { status: res.status, html: await res.text() };
    };
    const result = await runFaultMatrix({
      route: 'POST /desk/adoptions',
      prepare: async (label) => {
        clock.advance(60_000);
        n += 1;
        const [zhang, zhou] = (await acceptedPieces([`目录张 ${label}`, 'zhang'], [`目录周 ${label}`, 'zhou'])) as [
          AcceptedPiece,
          AcceptedPiece,
        ];
        await fc.clearMailbox();
        const issue = `目${n}`;
        const csv = [
          '回执号,采用级别,刊物,期号,采用日期,领导批示',
          `${zhang.receipt},自治区,${OUTLET},${issue},${zhang.adoptedOn},无`,
          `${zhou.receipt},地区,${OUTLET},${issue},${zhou.adoptedOn},无`,
        ].join('\n');
        await desk(); // signed in before the fault is armed
        return { zhang, zhou, issue, csv };
      },
      act: ({ csv }) => upload(csv),
      verify: async ({ zhang, zhou, issue, csv }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('采用目录', faultCase);
        if (first.status === 200) {
          if (!first.html.includes('登记完成')) problems.push(`200 with "${noticeOf(first.html)}"`);
        } else {
          problems.push(...firstAnswerProblem(first.status));
          if (first.status !== 503) problems.push(`first page: "${noticeOf(first.html)}"`);
          // The editor uploads the same file again.
          const again = await upload(csv);
          if (again.status !== 200 || !again.html.includes('登记完成')) {
            problems.push(`the second upload answered ${again.status}: "${noticeOf(again.html)}"`);
          }
        }
        problems.push(...(await oneAdoption(zhang.receipt, adoptionFields(issue, zhang.adoptedOn))));
        problems.push(...(await oneAdoption(zhou.receipt, adoptionFields(issue, zhou.adoptedOn, 'prefecture'))));
        await recover(clock);
        const mails = await fc.county.mails();
        const told = [
          countMails(mails, fc.address('zhang'), `您的稿件被自治区采用：${zhang.title}`),
          countMails(mails, fc.address('zhou'), `您的稿件被地区采用：${zhou.title}`),
        ];
        if (told[0] !== 1 || told[1] !== 1) problems.push(`adoption emails to the informants: ${told.join(', ')}`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
    // The upload sends no email itself: the informants' are the sweeper's.
    expect(result.calls.ses).toBe(0);
  }, 300_000);
});

/** The rules file of the repo with 自治区 adoptions worth `region` points. */
const rulesWith = (region: number) => {
  const rules = JSON.parse(readFileSync(join(repoRoot, 'shared/scoring/defaultRules.json'), 'utf8'));
  rules.points.region = region;
  return JSON.stringify(rules);
};

describe('POST /desk/scores/rules under injected faults', () => {
  it('stores the new version once, and answers 200 when uploaded again', async () => {
    let n = 0;
    const upload = async (file: string) => {
      const body = new FormData();
      body.append('file', new Blob([file]), 'rules.json');
      body.append('from', '2026-01-01');
      const res = await (await desk()).fetch('/desk/scores/rules', { method: 'POST', body });
      return { status: res.status, html: await res.text() };
    };
    const result = await runFaultMatrix({
      route: 'POST /desk/scores/rules',
      prepare: async () => {
        clock.advance(60_000);
        n += 1;
        await desk(); // signed in before the fault is armed
        return { file: rulesWith(100 + n), region: 100 + n };
      },
      act: ({ file }) => upload(file),
      verify: async ({ file, region }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('积分规则', faultCase);
        if (first.status === 200) {
          if (!first.html.includes('积分规则')) problems.push(`200 with "${noticeOf(first.html)}"`);
        } else {
          problems.push(...firstAnswerProblem(first.status));
          const again = await upload(file);
          if (again.status !== 200)
            problems.push(`the second upload answered ${again.status}: "${noticeOf(again.html)}"`);
        }
        const versions = await readRuleVersions(config().countyId);
        const mine = versions.filter((v) => v.rules.points.region === region);
        if (mine.length !== 1) problems.push(`${mine.length} versions with 自治区 ${region}`);
        if (new Set(versions.map((v) => v.version)).size !== versions.length)
          problems.push('two versions share a number');
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});

describe('rules rescore under injected faults', () => {
  it('re-scores each adoption once, however often it is run after a fault', async () => {
    let n = 0;
    const run = () =>
      rescore(currentFrom, { name: '故障测试' }).then(
        (r) => ({ ok: true as const, r }),
        (err: unknown) => ({ ok: false as const, err }),
      );
    let currentFrom = '';
    const result = await runFaultMatrix({
      route: 'rules rescore',
      services: ['dynamodb'],
      prepare: async (label) => {
        clock.advance(60_000);
        n += 1;
        const [piece] = await acceptedPieces([`重新计分故障 ${label}`, 'zhang']);
        const fields = adoptionFields(`重${n}`, piece!.adoptedOn);
        expect((await setUpPost(piece!.adoptionLink, fields)).status).toBe(200);
        // A new version for every day, so this case's adoption (and only adoptions from its day on) would change.
        await setRules(rulesWith(200 + n), '2026-01-01', { name: '故障测试' });
        currentFrom = piece!.adoptedOn;
        await recover(clock);
        return { receipt: piece!.receipt, fields, region: 200 + n };
      },
      act: () => run(),
      verify: async ({ receipt, fields, region }, first, faultCase) => {
        const problems: string[] = [];
        noteUnfired('重新计分', faultCase);
        // The operator runs it again after a failure (and once more: it must change nothing then).
        if (!first.ok) {
          const again = await run();
          if (!again.ok) problems.push(`the second run failed: ${String(again.err)}`);
        }
        const last = await run();
        if (last.ok && last.r.changed !== 0) problems.push(`a further run changed ${last.r.changed}`);
        const id = adoptionIdOf({ level: 'region', outlet: fields.outlet, issue: fields.issue });
        const items = await adoptionItemsOf(receipt);
        const rescored = items.filter((i) => String(i.sk).startsWith(`A#${id}#R#`));
        const record = items.find((i) => i.sk === `A#${id}`);
        const now = Number(record?.points ?? 0) + rescored.reduce((s, i) => s + Number(i.points ?? 0), 0);
        // 自治区 `region` × 信息 1 + 自治区领导批示 50.
        if (rescored.length !== 1) problems.push(`${rescored.length} re-scorings of the adoption`);
        if (now !== region + 50) problems.push(`the adoption is worth ${now}, not ${region + 50}`);
        return problems;
      },
    });

    expect(result.violations).toEqual([]);
  }, 300_000);
});
