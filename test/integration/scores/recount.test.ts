// A generated county-year with a fixed seed: every score equals an independent recount written in the test from the
// raw events. A tiny seeded PRNG plans ~60 pieces across 2026 (submitted over HTTP, decided from the desk's JSON,
// some returned and revised, some rejected, some never decided), 0–3 adoptions upstream for each accepted one
// (recorded and withdrawn through the use cases), three new rules versions (one from a day already past, two from
// the same later day), and two re-scorings. The clock steps through the year, each action at a planned moment.
// The recount folds the table's raw items (a Scan) with nothing of shared/scoring/contributions.ts or
// shared/scores/*: which adoptions stand, the points each should have under the rules version this file set (as
// recorded before a re-scoring, as in force on its date after one), the naive sum of every month partition, and the
// rankings of the year (by unit, informant, piece) and of every month (by unit), their order under the tie rule.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordAdoption } from '../../../shared/adoption/recordAdoption';
import { withdrawAdoption } from '../../../shared/adoption/withdrawAdoption';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { reviseExpiry, reviseUrl, signinToken } from '../../../shared/links/links';
import { revisePiece } from '../../../shared/review/revisePiece';
import { importRoster } from '../../../shared/roster/importRoster';
import { type RankBy, type RankRow, ranking } from '../../../shared/scores/rankings';
import { rescore } from '../../../shared/scores/rescore';
import { setRules } from '../../../shared/scores/setRules';
import defaultRules from '../../../shared/scoring/defaultRules.json';
import { db, tableName } from '../../../shared/store/db';
import { allItems } from '../../support/faultState';
import { LONG_BODY, startTestCounty, type TestCounty } from '../../support/harness';
import { mulberry32 } from '../../support/random';
import { jsonPost, signInWith, submitKeyOf, submitOver } from '../desk/deskSupport';

// ---------------------------------------------------------------------------------------------------------------
// The rules, as this file reads them (version 1 is the repo's file; 2–4 are the ones set below).

type Lvl = 'county' | 'prefecture' | 'region' | 'central';
type Upper = Exclude<Lvl, 'county'>;
type Instr = 'none' | Lvl;
type Kind = 'info' | 'research';

interface MyRules {
  points: Record<Lvl, number>;
  kindMultiplier: Record<Kind, number>;
  instructionBonus: Record<Lvl, number>;
  topicBonus: number;
  award: { units: number; informants: number; pieces: number };
}

interface MyVersion {
  version: number;
  effectiveFrom: string;
  /** When this file set it (ms); version 1 was always there. */
  setAt: number;
  rules: MyRules;
}

const V1: MyVersion = {
  version: 1,
  effectiveFrom: '2000-01-01',
  setAt: Number.NEGATIVE_INFINITY,
  rules: {
    points: defaultRules.points,
    kindMultiplier: defaultRules.kindMultiplier,
    instructionBonus: defaultRules.instructionBonus,
    topicBonus: defaultRules.topicBonus,
    award: defaultRules.award,
  },
};

const award = { units: 3, informants: 5, pieces: 10 };
const at = (iso: string) => Date.parse(iso);
/** Set mid-year, from a day already past (07-01): July's adoptions keep version 1 until the re-scoring. */
const V2: MyVersion = {
  version: 2,
  effectiveFrom: '2026-07-01',
  setAt: at('2026-08-10T02:00:00.500Z'),
  rules: {
    points: { county: 2, prefecture: 6, region: 12, central: 40 },
    kindMultiplier: { info: 1, research: 1.5 },
    instructionBonus: { county: 10, prefecture: 25, region: 50, central: 120 },
    topicBonus: 3,
    award,
  },
};
/** Set in October from a day to come (11-01). */
const V3: MyVersion = {
  version: 3,
  effectiveFrom: '2026-11-01',
  setAt: at('2026-10-05T02:00:00.500Z'),
  rules: {
    points: { county: 1.5, prefecture: 5, region: 15, central: 35 },
    kindMultiplier: { info: 1.2, research: 2.5 },
    instructionBonus: { county: 5, prefecture: 20, region: 45, central: 100 },
    topicBonus: 4,
    award,
  },
};
/** Set in November from the same day as version 3: of two on one day, the newer is in force. */
const V4: MyVersion = {
  version: 4,
  effectiveFrom: '2026-11-01',
  setAt: at('2026-11-10T02:00:00.500Z'),
  rules: {
    points: { county: 2.5, prefecture: 7, region: 14, central: 45 },
    kindMultiplier: { info: 1.1, research: 2 },
    instructionBonus: { county: 8, prefecture: 22, region: 55, central: 110 },
    topicBonus: 5,
    award,
  },
};
const SET_VERSIONS = [V2, V3, V4];

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The version in force on `day` among `versions`: the latest effective day not after it; ties by higher version. */
function myVersionOn(versions: readonly MyVersion[], day: string): MyVersion {
  let best = V1;
  for (const v of versions) {
    if (v.effectiveFrom > day) continue;
    if (v.effectiveFrom > best.effectiveFrom || (v.effectiveFrom === best.effectiveFrom && v.version > best.version))
      best = v;
  }
  return best;
}

/** Base points of the level × the kind's multiplier, + the 批示 bonus, + the topic bonus on a county acceptance. */
function myPoints(rules: MyRules, a: { level: Lvl; kind: Kind; instruction: Instr; topic: boolean }): number {
  const base = rules.points[a.level] * rules.kindMultiplier[a.kind];
  const instruction = a.instruction === 'none' ? 0 : rules.instructionBonus[a.instruction];
  const topic = a.level === 'county' && a.topic ? rules.topicBonus : 0;
  return round2(base + instruction + topic);
}

// ---------------------------------------------------------------------------------------------------------------
// The seeded plan.

const SEED = 20260101;

const rand = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;

const DAY = 86_400_000;
const Y0 = Date.UTC(2026, 0, 1);
/** A moment on the `d`-th UTC day of 2026 (0 = Jan 1), at a random second (so the Shanghai day may be the next). */
const momentOn = (d: number) => Y0 + d * DAY + int(0, 86_399) * 1000;
/** The last moment random actions may take (the second re-scoring comes after). */
const END = at('2026-12-26T12:00:00Z');
const RESCORE_1 = at('2026-12-05T02:00:00.500Z');
const RESCORE_2 = at('2026-12-27T02:00:00.500Z');
const FINAL = at('2026-12-28T02:00:00.500Z');

/** Asia/Shanghai (UTC+8, no DST), computed here: the day and the month of an instant. */
const shDay = (t: number | string) =>
  new Date((typeof t === 'string' ? Date.parse(t) : t) + 8 * 3600_000).toISOString().slice(0, 10);
const shMonth = (t: number | string) => shDay(t).slice(0, 7);
const MONTHS = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

const UNITS = ['县委办公室', '城关镇党委', '红旗乡党委', '团结乡党委', '县委宣传部', '县人社局'];
const NAMES = ['陈晓明', '张伟', '周强', '李娜', '王芳', '刘洋', '赵磊', '孙丽', '马军', '何静', '郭涛', '林燕'];
const EDITORS = ['wang', 'li'];
const OUTLETS: Record<Upper, string[]> = {
  prefecture: ['《阿克苏组工》', '《地区组工信息》'],
  region: ['《新疆组工信息》', '《新疆组工通讯》'],
  central: ['《组工通讯》', '《组工信息》'],
};

type Fate = 'accept' | 'returnAccept' | 'reject' | 'returnRevise' | 'waiting';

interface AdoptionPlan {
  level: Upper;
  outlet: string;
  issue: string;
  adoptedOn: string;
  instruction: Instr;
  recordAt: number;
  withdrawAt?: number;
  /** Filled when recorded. */
  adoptionId?: string;
}

interface PiecePlan {
  n: number;
  informant: number;
  kind: Kind;
  /** The kind of the revised draft (after a return). */
  revisedKind: Kind;
  title: string;
  fate: Fate;
  topic: boolean;
  submitAt: number;
  acceptAt?: number;
  adoptions: AdoptionPlan[];
  receipt?: string;
}

type Action =
  | { t: number; type: 'submit'; p: PiecePlan }
  | {
      t: number;
      type: 'decide';
      p: PiecePlan;
      decision: 'accept' | 'return' | 'reject';
      revision: number;
      editor: string;
    }
  | { t: number; type: 'revise'; p: PiecePlan }
  | { t: number; type: 'adopt'; p: PiecePlan; a: AdoptionPlan }
  | { t: number; type: 'withdraw'; p: PiecePlan; a: AdoptionPlan }
  | { t: number; type: 'withdrawRescored' }
  | { t: number; type: 'rules'; v: MyVersion };

let issueCounter = 0;
const levelOf = (): Upper => {
  const r = rand();
  return r < 0.5 ? 'prefecture' : r < 0.85 ? 'region' : 'central';
};
const instructionOf = (): Instr => (rand() < 0.75 ? 'none' : pick(['county', 'prefecture', 'region', 'central']));

function plan(): { pieces: PiecePlan[]; actions: Action[] } {
  const pieces: PiecePlan[] = [];
  const actions: Action[] = [];
  for (let n = 1; n <= 60; n++) {
    const informant = int(0, NAMES.length - 1);
    const kind: Kind = rand() < 0.7 ? 'info' : 'research';
    const r = rand();
    const fate: Fate =
      r < 0.55 ? 'accept' : r < 0.67 ? 'returnAccept' : r < 0.8 ? 'reject' : r < 0.9 ? 'returnRevise' : 'waiting';
    const p: PiecePlan = {
      n,
      informant,
      kind,
      revisedKind: rand() < 0.3 ? (kind === 'info' ? 'research' : 'info') : kind,
      title: `第${n}篇：${UNITS[Math.floor(informant / 2)]}工作动态`,
      fate,
      topic: fate === 'accept' && rand() < 0.15,
      submitAt: momentOn(4 + Math.floor(((n - 1) * 330) / 60) + int(0, 4)),
      adoptions: [],
    };
    pieces.push(p);
    actions.push({ t: p.submitAt, type: 'submit', p });
    const editor = () => pick(EDITORS);
    let t = p.submitAt;
    const later = (lo: number, hi: number) => {
      t = t + int(lo, hi) * DAY + int(60, 6 * 3600) * 1000;
      return t;
    };
    if (fate === 'accept') {
      actions.push({ t: later(1, 8), type: 'decide', p, decision: 'accept', revision: 1, editor: editor() });
    } else if (fate === 'reject') {
      actions.push({ t: later(1, 8), type: 'decide', p, decision: 'reject', revision: 1, editor: editor() });
    } else if (fate === 'returnAccept' || fate === 'returnRevise') {
      actions.push({ t: later(1, 5), type: 'decide', p, decision: 'return', revision: 1, editor: editor() });
      actions.push({ t: later(1, 4), type: 'revise', p });
      if (fate === 'returnAccept')
        actions.push({ t: later(1, 5), type: 'decide', p, decision: 'accept', revision: 2, editor: editor() });
    }
    if (fate === 'accept' || fate === 'returnAccept') {
      p.acceptAt = t;
      const count = ((x) => (x < 0.3 ? 0 : x < 0.65 ? 1 : x < 0.85 ? 2 : 3))(rand());
      for (let i = 0; i < count; i++) {
        const recordAt = p.acceptAt + int(1, 80) * DAY + int(0, 86_399) * 1000;
        // Any day from the day it was sent to the day it is recorded (Shanghai days).
        const first = Date.parse(`${shDay(p.submitAt)}T00:00:00Z`);
        const last = Date.parse(`${shDay(recordAt)}T00:00:00Z`);
        const adoptedOn = new Date(first + int(0, Math.round((last - first) / DAY)) * DAY).toISOString().slice(0, 10);
        const level = levelOf();
        const a: AdoptionPlan = {
          level,
          outlet: pick(OUTLETS[level]),
          issue: String(++issueCounter),
          adoptedOn,
          instruction: instructionOf(),
          recordAt,
          ...(rand() < 0.12 ? { withdrawAt: recordAt + int(1, 20) * DAY + int(0, 3600) * 1000 } : {}),
        };
        if (recordAt > END) continue;
        if (a.withdrawAt !== undefined && a.withdrawAt > END) delete a.withdrawAt;
        p.adoptions.push(a);
      }
    }
  }
  // Adoptions on the days where versions meet, and recorded around the turn of a Shanghai month.
  const edges: { date: string; recordAt: string; level: Upper; instruction: Instr }[] = [
    { date: '2026-06-30', recordAt: '2026-08-05T03:00:00Z', level: 'prefecture', instruction: 'none' },
    { date: '2026-07-01', recordAt: '2026-08-05T03:10:00Z', level: 'region', instruction: 'prefecture' },
    // 2026-09-01 00:30 in Shanghai: counts in September.
    { date: '2026-08-31', recordAt: '2026-08-31T16:30:00Z', level: 'central', instruction: 'none' },
    { date: '2026-10-31', recordAt: '2026-11-05T03:00:00Z', level: 'prefecture', instruction: 'region' },
    { date: '2026-11-01', recordAt: '2026-11-05T03:10:00Z', level: 'region', instruction: 'none' },
    { date: '2026-11-01', recordAt: '2026-11-20T03:00:00Z', level: 'prefecture', instruction: 'county' },
    // 2026-12-01 01:00 in Shanghai: counts in December.
    { date: '2026-12-01', recordAt: '2026-11-30T17:00:00Z', level: 'central', instruction: 'central' },
  ];
  const used = new Set<PiecePlan>();
  for (const e of edges) {
    const recordAt = at(e.recordAt);
    const p = pieces.find(
      (q) =>
        q.acceptAt !== undefined && q.acceptAt < recordAt - 3600_000 && shDay(q.submitAt) <= e.date && !used.has(q),
    );
    if (!p) throw new Error(`no accepted piece for the edge adoption of ${e.date}`);
    used.add(p);
    p.adoptions.push({
      level: e.level,
      outlet: pick(OUTLETS[e.level]),
      issue: String(++issueCounter),
      adoptedOn: e.date,
      instruction: e.instruction,
      recordAt,
    });
  }
  for (const p of pieces) {
    for (const a of p.adoptions) {
      actions.push({ t: a.recordAt, type: 'adopt', p, a });
      if (a.withdrawAt !== undefined) actions.push({ t: a.withdrawAt, type: 'withdraw', p, a });
    }
  }
  for (const v of SET_VERSIONS) actions.push({ t: v.setAt, type: 'rules', v });
  // After the first re-scoring: an adoption it changed is withdrawn (minus its points as re-scored).
  actions.push({ t: at('2026-12-15T03:00:00.500Z'), type: 'withdrawRescored' });
  actions.sort((a, b) => a.t - b.t);
  return { pieces, actions };
}

const { pieces, actions } = plan();

// ---------------------------------------------------------------------------------------------------------------
// The county and the driver.

let county: TestCounty;
let countyId = '';
const submitKeys: string[] = [];
/** Each editor's personId and key version, from the raw roster items: their sign-in links are made from them. */
const editorIds: Record<string, { personId: string; keyVersion: number }> = {};
/** From the raw roster items: informant index → personId / unitId; every unit id. */
const informantIds: string[] = [];
const informantUnits: string[] = [];
const unitIds: string[] = [];
const keyVersions: number[] = [];
/** Versions set so far (this file's reading), and the moment of the last re-scoring. */
const setSoFar: MyVersion[] = [];
let lastRescoreAt: number | undefined;
let next = 0;
const counts = { submitted: 0, accepted: 0, returned: 0, revised: 0, rejected: 0, adopted: 0, withdrawn: 0 };

const address = (name: string) => `${name}@${county.domain}`;
const by = { name: '测试' };

beforeAll(async () => {
  setClock(new Date('2026-01-02T01:00:00Z'));
  county = await startTestCounty();
  countyId = config().countyId;
  const csv = [
    '单位,姓名,邮箱,手机,角色',
    ...NAMES.map((name, i) => `${UNITS[Math.floor(i / 2)]},${name},i${i + 1}@${county.domain},,信息员`),
    `县委组织部信息科,王编辑,wang@${county.domain},,编辑`,
    `县委组织部信息科,李编辑,li@${county.domain},,编辑`,
  ].join('\n');
  expect((await importRoster(csv)).ok).toBe(true);
  for (let i = 0; i < NAMES.length; i++) submitKeys.push(await submitKeyOf(county, address(`i${i + 1}`)));
  const roster = (await allItems()).filter((i) => i.pk === `C#${countyId}#ROSTER`);
  for (const e of EDITORS) {
    const person = roster.find((r) => String(r.sk).startsWith('P#') && r.email === address(e));
    editorIds[e] = { personId: String(person?.personId), keyVersion: Number(person?.keyVersion) };
  }
  for (const name of UNITS) {
    const unit = roster.find((i) => String(i.sk).startsWith('U#') && i.name === name);
    unitIds.push(String(unit?.unitId));
  }
  for (let i = 0; i < NAMES.length; i++) {
    const person = roster.find((r) => String(r.sk).startsWith('P#') && r.email === address(`i${i + 1}`));
    informantIds.push(String(person?.personId));
    informantUnits.push(String(person?.unitId));
    keyVersions.push(Number(person?.keyVersion));
    expect(person?.unitId).toBe(unitIds[Math.floor(i / 2)]);
  }
}, 30_000);

afterAll(async () => {
  setClock(undefined);
  await county.close();
});

/**
 * Decides from the desk's JSON, signed in at the clock's time from a sign-in link as an email sent then would carry
 * it (the clock steps through the year, past a week-long sign-in link and a session of hours).
 */
async function decide(receipt: string, editor: string, fields: Record<string, unknown>): Promise<void> {
  const { personId, keyVersion } = editorIds[editor]!;
  const desk = await signInWith(
    county.baseUrl,
    `${county.baseUrl}/desk/signin/${await signinToken(personId, keyVersion)}`,
  );
  const res = await desk.fetch(`${desk}/pieces/${receipt}`, jsonPost(fields));
  if (res.status !== 200)
    throw new Error(`deciding ${receipt} ${JSON.stringify(fields)}: ${res.status} ${await res.text()}`);
}

const bodyOf = (p: PiecePlan, revised = false) => `${LONG_BODY}（${p.title}${revised ? '，修改稿' : ''}）`;

/** Plays the plan's actions up to `until` (inclusive), each at its own moment. */
async function playUntil(until: number): Promise<void> {
  for (; next < actions.length && actions[next]!.t <= until; next++) {
    const action = actions[next]!;
    setClock(new Date(action.t));
    switch (action.type) {
      case 'submit': {
        const { p } = action;
        p.receipt = await submitOver(county, submitKeys[p.informant]!, p.title, { kind: p.kind, body: bodyOf(p) });
        if (p.topic) {
          // No topic is open in this county (点题 are not yet offered on the form): the piece is marked as answering
          // one as the topics feature will write it, so the acceptance earns the topic bonus.
          await db().send(
            new UpdateCommand({
              TableName: tableName(),
              Key: { pk: `C#${countyId}#P#${p.receipt}`, sk: 'E#0001' },
              UpdateExpression: 'SET topicId = :t',
              ExpressionAttributeValues: { ':t': 'T2026-01' },
              ConditionExpression: 'attribute_exists(pk)',
            }),
          );
        }
        counts.submitted++;
        break;
      }
      case 'decide': {
        const { p, decision, revision, editor } = action;
        const fields =
          decision === 'accept'
            ? { decision, revision }
            : decision === 'return'
              ? { decision, revision, comment: '请补充具体数据和成效。' }
              : { decision, revision, confirm: true };
        await decide(p.receipt!, editor, fields);
        counts[decision === 'accept' ? 'accepted' : decision === 'return' ? 'returned' : 'rejected']++;
        break;
      }
      case 'revise': {
        const { p } = action;
        const link = await reviseUrl({
          pieceId: p.receipt!,
          revision: 1,
          informantId: informantIds[p.informant]!,
          keyVersion: keyVersions[p.informant]!,
          exp: reviseExpiry(new Date(action.t)),
        });
        await revisePiece(link.split('/revise/')[1], {
          kind: p.revisedKind,
          title: `${p.title}（修改稿）`,
          body: bodyOf(p, true),
        });
        counts.revised++;
        break;
      }
      case 'adopt': {
        const { p, a } = action;
        const fields = {
          level: a.level,
          outlet: a.outlet,
          issue: a.issue,
          date: a.adoptedOn,
          instruction: a.instruction,
        };
        const { record, added } = await recordAdoption(p.receipt!, fields, by, { source: 'cli' });
        expect(added).toBe(true);
        a.adoptionId = record.adoptionId;
        counts.adopted++;
        break;
      }
      case 'withdraw': {
        await withdrawAdoption(action.p.receipt!, action.a.adoptionId, '期号登记错误', by);
        counts.withdrawn++;
        break;
      }
      case 'withdrawRescored': {
        const items = await allItems();
        const rescored = items.find(
          (i) =>
            /^A#[0-9a-f]{12}#R#\d{3}$/.test(String(i.sk)) &&
            !items.some((w) => w.pk === i.pk && w.sk === `${String(i.sk).slice(0, 14)}#W`),
        );
        if (!rescored) throw new Error('no re-scored adoption standing to withdraw');
        const { withdrawal } = await withdrawAdoption(String(rescored.pieceId), rescored.adoptionId, '重复登记', by);
        // Minus what it had as re-scored (the points of the version in force on its date).
        expect(withdrawal.points).toBe(-Number(rescored.after));
        counts.withdrawn++;
        break;
      }
      case 'rules': {
        const { v } = action;
        const file = JSON.stringify({ 说明: `测试规则第 ${v.version} 版`, ...v.rules }, null, 2);
        const set = await setRules(file, v.effectiveFrom, by);
        expect({ version: set.version.version, added: set.added }).toEqual({ version: v.version, added: true });
        setSoFar.push(v);
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The recount, from the raw items.

interface RawItem {
  pk: string;
  sk: string;
  type?: string;
  seq?: number;
  revision?: number;
  at?: string;
  kind?: Kind;
  points?: number;
  rulesVersion?: number;
  unitId?: string;
  informantId?: string;
  level?: Lvl;
  adoptedOn?: string;
  instruction?: Instr;
  topicId?: string;
  adoptionId?: string;
  after?: number;
  gsi1pk?: string;
}

interface Standing {
  pieceId: string;
  adoptionId: string;
  unitId: string;
  informantId: string;
  kind: Kind;
  level: Lvl;
  adoptedOn: string;
  instruction: Instr;
  topic: boolean;
  /** When it was recorded (the acceptance: when it was decided), and the Shanghai month it counts in. */
  at: string;
  month: string;
  stored: number;
  storedVersion: number;
  /** Its points now in the table: as recorded plus every re-scoring. */
  now: number;
  rescores: RawItem[];
}

interface Recount {
  standing: Standing[];
  withdrawn: number;
  /** Problems found in the raw items themselves (wrong month key, a withdrawal of the wrong amount, …). */
  problems: string[];
  /** Naive sum of `points` over every score item of each month partition. */
  partitionSums: Record<string, number>;
}

const SCORE_TYPES = ['accepted', 'adopted', 'withdrawn', 'rescored'];

function fold(items: RawItem[]): Recount {
  const problems: string[] = [];
  const standing: Standing[] = [];
  let withdrawn = 0;
  const monthKey = (month: string) => `C#${countyId}#M#${month}`;
  const partitions = new Map<string, RawItem[]>();
  for (const i of items) {
    if (!i.pk.startsWith(`C#${countyId}#P#`)) continue;
    const list = partitions.get(i.pk) ?? [];
    list.push(i);
    partitions.set(i.pk, list);
  }
  for (const [pk, list] of partitions) {
    const pieceId = pk.slice(`C#${countyId}#P#`.length);
    const events = list.filter((i) => /^E#\d{4}$/.test(i.sk)).sort((a, b) => a.sk.localeCompare(b.sk));
    const marks = list.filter((i) => i.sk.startsWith('A#'));
    const sent = events[0];
    if (sent?.type !== 'submitted') {
      problems.push(`${pieceId}: first event is ${sent?.type}`);
      continue;
    }
    // Who sent it, from the plan and the roster (not from the score items).
    const planned = pieces.find((p) => p.receipt === pieceId);
    const informantId = informantIds[planned?.informant ?? -1] ?? '?';
    const unitId = informantUnits[planned?.informant ?? -1] ?? '?';
    const acceptance = events.find((e) => e.type === 'accepted');
    if (!acceptance) {
      if (marks.length > 0) problems.push(`${pieceId}: adoption items on a piece never accepted`);
      if (events.some((e) => e.points !== undefined)) problems.push(`${pieceId}: points on a piece never accepted`);
      continue;
    }
    const revision = events.find(
      (e) => (e.type === 'submitted' || e.type === 'revised') && e.revision === acceptance.revision,
    );
    if (!revision || revision.seq !== Number(acceptance.seq) - 1) {
      problems.push(`${pieceId}: the acceptance does not follow the revision it decides`);
      continue;
    }
    const kind = revision.kind!;
    const topic = revision.topicId !== undefined;
    const records: { id: string; item: RawItem; level: Lvl; adoptedOn: string; instruction: Instr }[] = [
      {
        id: 'county',
        item: acceptance,
        level: 'county',
        adoptedOn: shDay(acceptance.at!),
        instruction: 'none',
      },
      ...marks
        .filter((i) => /^A#[0-9a-f]{12}$/.test(i.sk))
        .map((i) => ({
          id: i.sk.slice(2),
          item: i,
          level: i.level!,
          adoptedOn: i.adoptedOn!,
          instruction: i.instruction ?? ('none' as const),
        })),
    ];
    const known = new Set(records.map((r) => `A#${r.id}`));
    for (const m of marks) {
      const base = /^(A#(?:county|[0-9a-f]{12}))(?:#W|#R#\d{3})?$/.exec(m.sk)?.[1];
      if (!base || !known.has(base)) problems.push(`${pieceId}: stray item ${m.sk}`);
    }
    for (const r of records) {
      const { item } = r;
      const month = shMonth(item.at!);
      const label = `${pieceId} ${r.id}`;
      if (item.gsi1pk !== monthKey(month)) problems.push(`${label}: filed under ${item.gsi1pk}, recorded in ${month}`);
      if (item.kind !== kind) problems.push(`${label}: kind ${item.kind}, the accepted revision is ${kind}`);
      if (item.unitId !== unitId || item.informantId !== informantId)
        problems.push(`${label}: unit/informant ${item.unitId}/${item.informantId}, sent by ${unitId}/${informantId}`);
      if (r.level === 'county' && item.adoptedOn !== r.adoptedOn)
        problems.push(`${label}: acceptance dated ${item.adoptedOn}, decided on ${r.adoptedOn} (Shanghai)`);
      if (typeof item.points !== 'number') problems.push(`${label}: no points`);
      const rescores = marks
        .filter((m) => m.sk.startsWith(`A#${r.id}#R#`))
        .sort((a, b) => String(a.at).localeCompare(String(b.at)));
      const withdrawal = marks.find((m) => m.sk === `A#${r.id}#W`);
      for (const c of [...rescores, ...(withdrawal ? [withdrawal] : [])]) {
        if (c.gsi1pk !== item.gsi1pk) problems.push(`${label}: ${c.sk} filed under ${c.gsi1pk}, not ${item.gsi1pk}`);
      }
      if (r.level === 'county' && withdrawal) problems.push(`${label}: a county acceptance withdrawn`);
      const pointsAt = (t: string) =>
        round2((item.points ?? 0) + rescores.filter((x) => String(x.at) < t).reduce((s, x) => s + (x.points ?? 0), 0));
      if (withdrawal) {
        withdrawn++;
        if (rescores.some((x) => String(x.at) > String(withdrawal.at)))
          problems.push(`${label}: re-scored after its withdrawal`);
        if (withdrawal.points !== -pointsAt(String(withdrawal.at)))
          problems.push(`${label}: withdrawal of ${withdrawal.points}, it had ${pointsAt(String(withdrawal.at))}`);
        continue;
      }
      standing.push({
        pieceId,
        adoptionId: r.id,
        unitId,
        informantId,
        kind,
        level: r.level,
        adoptedOn: r.adoptedOn,
        instruction: r.instruction,
        topic,
        at: item.at!,
        month,
        stored: item.points ?? 0,
        storedVersion: item.rulesVersion ?? -1,
        now: pointsAt('9999'),
        rescores,
      });
    }
  }
  const partitionSums: Record<string, number> = {};
  for (const i of items) {
    if (!SCORE_TYPES.includes(String(i.type)) || i.gsi1pk === undefined) continue;
    const month = i.gsi1pk.slice(`C#${countyId}#M#`.length);
    partitionSums[month] = round2((partitionSums[month] ?? 0) + (i.points ?? 0));
  }
  return { standing, withdrawn, problems, partitionSums };
}

/** The versions an adoption's points should come from now: those set before it was recorded or re-scored since. */
function versionFor(a: Standing): MyVersion {
  const recorded = Date.parse(a.at);
  const asOf = lastRescoreAt !== undefined && lastRescoreAt > recorded ? lastRescoreAt : recorded;
  return myVersionOn(
    setSoFar.filter((v) => v.setAt <= asOf),
    a.adoptedOn,
  );
}
const expectedPoints = (a: Standing) => myPoints(versionFor(a).rules, a);

interface Total {
  points: number;
  adoptions: number;
  byLevel: Record<Lvl, number>;
  lastOn: string;
}
const zero = (): Total => ({
  points: 0,
  adoptions: 0,
  byLevel: { county: 0, prefecture: 0, region: 0, central: 0 },
  lastOn: '',
});

function totals(standing: Standing[], key: (a: Standing) => string, ids: string[] = []): Record<string, Total> {
  const out: Record<string, Total> = {};
  for (const id of ids) out[id] = zero();
  for (const a of standing) {
    const id = key(a);
    out[id] ??= zero();
    const t = out[id];
    t.points += expectedPoints(a);
    t.adoptions += 1;
    t.byLevel[a.level] += 1;
    if (a.adoptedOn > t.lastOn) t.lastOn = a.adoptedOn;
  }
  for (const t of Object.values(out)) t.points = round2(t.points);
  return out;
}

/** The stated tie rule: negative when `a` must come first; 0 when the rule does not tell them apart. */
function tieRule(a: Total, b: Total): number {
  if (a.points !== b.points) return b.points - a.points;
  for (const level of ['central', 'region', 'prefecture', 'county'] as const)
    if (a.byLevel[level] !== b.byLevel[level]) return b.byLevel[level] - a.byLevel[level];
  const [x, y] = [a.lastOn || '9999', b.lastOn || '9999'];
  return x === y ? 0 : x < y ? -1 : 1;
}

const rowTotal = (r: RankRow): Total => ({
  points: r.points,
  adoptions: r.adoptions,
  byLevel: { ...r.byLevel },
  lastOn: r.lastOn,
});

/** The ranking against the recount: the same totals per id, and an order (and ranks) the tie rule allows. */
function compare(label: string, rows: RankRow[], expected: Record<string, Total>): void {
  const got = Object.fromEntries(rows.map((r) => [r.id, rowTotal(r)]));
  expect({ [label]: got }).toEqual({ [label]: expected });
  const disorder = rows.flatMap((r, i) => {
    const before = rows[i - 1];
    return before && tieRule(rowTotal(before), rowTotal(r)) > 0 ? [`${label}: ${before.id} before ${r.id}`] : [];
  });
  expect(disorder).toEqual([]);
  const ranks = rows.map((r) => ({ id: r.id, rank: r.rank }));
  const myRanks = rows.map((r) => ({
    id: r.id,
    rank: 1 + rows.filter((o) => tieRule(rowTotal(o), rowTotal(r)) < 0).length,
  }));
  expect({ [label]: ranks }).toEqual({ [label]: myRanks });
}

/** Every check of the recount against the table and the rankings; returns the recount. */
async function checkAll(phase: string): Promise<Recount> {
  const recount = fold((await allItems()) as unknown as RawItem[]);
  expect({ phase, problems: recount.problems }).toEqual({ phase, problems: [] });

  // Each standing adoption: its points now are those of the version that should give them.
  const wrong = recount.standing
    .filter((a) => a.now !== expectedPoints(a))
    .map((a) => ({
      id: `${a.pieceId} ${a.adoptionId}`,
      level: a.level,
      kind: a.kind,
      adoptedOn: a.adoptedOn,
      instruction: a.instruction,
      version: versionFor(a).version,
      expected: expectedPoints(a),
      got: a.now,
    }));
  expect({ phase, wrong }).toEqual({ phase, wrong: [] });
  if (lastRescoreAt === undefined) {
    // Before any re-scoring: every one as recorded, under the version in force then.
    const versions = recount.standing
      .filter((a) => a.rescores.length > 0 || a.storedVersion !== versionFor(a).version)
      .map((a) => `${a.pieceId} ${a.adoptionId}: v${a.storedVersion}, ${a.rescores.length} re-scorings`);
    expect({ phase, versions }).toEqual({ phase, versions: [] });
  }

  // The naive sum of every month partition is the month's recount.
  const byMonth = totals(recount.standing, (a) => a.month);
  const sums = Object.fromEntries(MONTHS.map((m) => [m, recount.partitionSums[m] ?? 0]));
  const recounted = Object.fromEntries(MONTHS.map((m) => [m, byMonth[m]?.points ?? 0]));
  expect({ phase, sums }).toEqual({ phase, sums: recounted });
  expect(Object.keys(recount.partitionSums).every((m) => MONTHS.includes(m))).toBe(true);

  const keyOf: Record<RankBy, (a: Standing) => string> = {
    unit: (a) => a.unitId,
    informant: (a) => a.informantId,
    piece: (a) => a.pieceId,
  };
  for (const rankBy of ['unit', 'informant', 'piece'] as const) {
    const { rows } = await ranking({ year: 2026, by: rankBy });
    compare(
      `${phase} 2026 by ${rankBy}`,
      rows,
      totals(recount.standing, keyOf[rankBy], rankBy === 'unit' ? unitIds : []),
    );
  }
  for (const month of MONTHS) {
    const { rows } = await ranking({ year: 2026, month, by: 'unit' });
    const inMonth = recount.standing.filter((a) => a.month === month);
    compare(`${phase} ${month} by unit`, rows, totals(inMonth, keyOf.unit, unitIds));
  }
  return recount;
}

// ---------------------------------------------------------------------------------------------------------------

describe('a generated county-year (seed 20260101): every score equals the recount from the raw events', () => {
  it('January to the new rules (set on 08-10 from 07-01): the totals are the recount of the points as recorded', async () => {
    await playUntil(V2.setAt);
    const recount = await checkAll('after v2 was set');
    // History does not change silently: what was recorded under version 1 from 07-01 on keeps version 1's points,
    // though version 2 now covers its date.
    const kept = recount.standing.filter(
      (a) => a.adoptedOn >= V2.effectiveFrom && Date.parse(a.at) < V2.setAt && myPoints(V2.rules, a) !== a.now,
    );
    expect(kept.length).toBeGreaterThan(0);
    for (const a of kept) {
      expect({ id: `${a.pieceId} ${a.adoptionId}`, points: a.now, version: a.storedVersion }).toEqual({
        id: `${a.pieceId} ${a.adoptionId}`,
        points: myPoints(V1.rules, a),
        version: 1,
      });
    }
    expect(kept.some((a) => a.level !== 'county')).toBe(true);
  }, 60_000);

  it('to December (versions 3 and 4 from the same day 11-01): still every adoption as recorded', async () => {
    await playUntil(RESCORE_1 - 1);
    const recount = await checkAll('before the re-scoring');
    // Adoptions of November recorded under version 3 keep it until the re-scoring, though version 4 now applies.
    expect(recount.standing.some((a) => a.storedVersion === 3 && Date.parse(a.at) < V4.setAt)).toBe(true);
    expect(recount.standing.some((a) => a.storedVersion === 4)).toBe(true);
  }, 60_000);

  it('re-scoring from 2026-01-01 gives each standing adoption the points of the version in force on its date', async () => {
    const before = fold((await allItems()) as unknown as RawItem[]);
    const all = [V1, ...SET_VERSIONS];
    const changes = before.standing
      .map((a) => round2(myPoints(myVersionOn(all, a.adoptedOn).rules, a) - a.now))
      .filter((d) => d !== 0);
    setClock(new Date(RESCORE_1));
    const result = await rescore('2026-01-01', by);
    lastRescoreAt = RESCORE_1;
    expect(changes.length).toBeGreaterThan(0);
    expect(result).toEqual({
      from: '2026-01-01',
      checked: before.standing.length,
      changed: changes.length,
      delta: round2(changes.reduce((s, d) => s + d, 0)),
    });
    const after = await checkAll('after the re-scoring');
    // Each re-scoring names the version it applied.
    for (const a of after.standing)
      for (const r of a.rescores)
        expect({ id: a.pieceId, v: r.rulesVersion }).toEqual({ id: a.pieceId, v: versionFor(a).version });
  }, 60_000);

  it('December’s adoptions and withdrawals (one of a re-scored adoption); a second re-scoring changes nothing', async () => {
    await playUntil(END);
    const scoreItems = async () =>
      (await allItems())
        .filter((i) => SCORE_TYPES.includes(String(i.type)))
        .sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
    const before = await scoreItems();
    setClock(new Date(RESCORE_2));
    const result = await rescore('2026-01-01', by);
    expect(result).toMatchObject({ changed: 0, delta: 0 });
    expect(await scoreItems()).toEqual(before);
    setClock(new Date(FINAL));
    const recount = await checkAll('final');

    // What the seed generated (a change to the plan or to the PRNG shows here).
    expect(next).toBe(actions.length);
    expect(counts.submitted).toBe(60);
    expect(counts.accepted).toBeGreaterThanOrEqual(35);
    expect(counts.returned).toBeGreaterThan(0);
    expect(counts.rejected).toBeGreaterThan(0);
    expect(counts.adopted).toBeGreaterThanOrEqual(40);
    expect(recount.withdrawn).toBe(counts.withdrawn);
    expect(recount.standing.length).toBe(counts.accepted + counts.adopted - counts.withdrawn);
    // Every level, a 批示, a topic, both kinds and Shanghai months that are not the UTC month were exercised.
    const levels = new Set(recount.standing.map((a) => a.level));
    expect([...levels].sort()).toEqual(['central', 'county', 'prefecture', 'region']);
    expect(recount.standing.some((a) => a.instruction !== 'none')).toBe(true);
    expect(recount.standing.some((a) => a.topic && a.level === 'county')).toBe(true);
    expect(new Set(recount.standing.map((a) => a.kind)).size).toBe(2);
    expect(recount.standing.some((a) => a.month !== a.at.slice(0, 7))).toBe(true);
    if (process.env.BAOSONG_LOUD)
      console.log(JSON.stringify({ seed: SEED, ...counts, standing: recount.standing.length }));
  }, 60_000);
});
