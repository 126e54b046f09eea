// Use case: the desk's 操作记录 — who did what, and when, in one Asia/Shanghai month: decisions, adoptions upstream
// recorded and withdrawn, topics and tasks issued and closed, rules set and re-scoring runs, the 信息奖 and 通报 sent
// by a person, and the audit log's own items (a revoke's fresh link today; 停用, 启用, a roster import and desk
// sign-ins once their writers log them). Informants' own submissions are not operations and are left out.
// 1. Read at once: the month's report partition (decisions, adoptions), the report partitions of the months before
//    it for withdrawals only (a withdrawal is filed under its adoption's month), the month's audit-log partition,
//    the topics and tasks due from a year back, the rules' re-scoring runs of the month (a range of their
//    partition), the rules' versions, the 信息奖 of this year and the last, the 通报 runs of the eleven months before,
//    and the roster (a person the filter does not offer: 400). Queries of month partitions and key ranges only, never
//    a Scan.
// 2. One BatchGet of what the index does not project (who decided, the title, the reason), per hundred items.
// 3. Each action one row in the words of the desk: who (name and role word, the operator as 管理员（命令行）), what,
//    on what (receipt number and title, a topic's or task's title, a person's name: never an id), and details.

import { bulletinTitle } from '../bulletin/bulletin';
import { monthOf, monthsFrom } from '../core/clock';
import { config } from '../core/config';
import { ValidationError } from '../core/errors';
import { DECISION_LABELS, type DecisionType } from '../pieces/events';
import { quarterLabel, quarterOf } from '../research/quarters';
import { listTasks, type Task } from '../research/tasks';
import { listRoster, type Person, type Roster } from '../roster/people';
import { type Actor, auditMonthKey, OPERATOR as CLI_OPERATOR } from '../roster/rosterEvents';
import { awardKey } from '../scores/award';
import { INSTRUCTION_LABELS, LEVEL_LABELS, type RuleVersion } from '../scoring/rules';
import { rulesKey } from '../scoring/ruleVersions';
import { getItems, type ItemKey, keyId, queryAll } from '../store/db';
import { keys } from '../store/keys';
import { MONTH_INDEX } from '../store/tableDefinition';
import { audienceOf, listTopics, type Topic } from '../topics/topics';
import { askedMonth } from './pieceList';

/** How the command line names its operator: the 管理员 of the person filter. */
export const OPERATOR_NAME = CLI_OPERATOR.name;
/** The person filter's value for the operator (a person of the roster is their id). */
export const OPERATOR = 'admin';
/** Who starts the monthly 通报 on schedule: no person, so not an operation. */
const SCHEDULED = '定时任务';
/**
 * How far back an action of this month may be filed: a withdrawal under its adoption's month, a close under its
 * topic's due month or its task's quarter, a 通报 under the month it reports.
 */
const LOOKBACK_MONTHS = 12;

const ROLE_WORDS: Record<Person['role'], string> = { informant: '信息员', editor: '编辑', leader: '领导' };

/** The words of the audit log's own items (shared/roster/rosterEvents.ts): an item of another type is not shown. */
const LOGGED: Record<string, string> = {
  newLink: '作废链接',
  deskNewLink: '作废链接',
  revoke: '作废链接',
  deactivate: '停用',
  activate: '启用',
  resume: '恢复发送',
  import: '导入名单',
  signin: '登录工作台',
  signout: '退出工作台',
};

export interface AuditFilter {
  /** `2026-11`. */
  month: string;
  /** A person's id, OPERATOR, or absent for everyone. */
  person?: string;
}

export interface AuditRow {
  /** When, as stored (ISO, UTC): shown in Asia/Shanghai time. */
  at: string;
  /** Who, as the filter knows them: a person's id, OPERATOR, or absent when the record names nobody known. */
  who?: string;
  /** Who, as shown: `王编辑（编辑）`, `管理员（命令行）`. */
  person: string;
  action: string;
  object: string;
  details: string;
}

export interface AuditLog {
  filter: AuditFilter;
  /** Newest first. */
  rows: AuditRow[];
  /** The person filter's choices: the roster's editors and leaders, then the operator. */
  people: { value: string; label: string }[];
}

type Query = Record<string, string | undefined>;

/** The people the filter offers: editors and leaders of the roster (停用 too: what they did stays), by name. */
export function auditPeople(roster: Roster): { value: string; label: string }[] {
  return [
    ...roster.people
      .filter((p) => p.role === 'editor' || p.role === 'leader')
      .sort((a, b) => a.name.localeCompare(b.name, 'zh'))
      .map((p) => ({ value: p.personId, label: `${p.name}（${ROLE_WORDS[p.role]}${p.inactive ? '，已停用' : ''}）` })),
    { value: OPERATOR, label: OPERATOR_NAME },
  ];
}

/** The filter a query asks for (`month=`, default this month; `person=`); a wrong month is a clear 400. */
export function auditFilterOf(query: Query): AuditFilter {
  const { month, error } = askedMonth(query.month);
  if (error) throw new ValidationError([error]);
  const person = (query.person ?? '').trim();
  return { month, ...(person ? { person } : {}) };
}

/** A person the filter does not offer is a clear 400 (checked once the roster is read, with the month's records). */
function checkPerson(filter: AuditFilter, roster: Roster): void {
  if (filter.person && !auditPeople(roster).some((p) => p.value === filter.person)) {
    throw new ValidationError([{ field: 'person', message: '人员无法识别：请从列表中选择编辑、领导或管理员。' }]);
  }
}

/** The month `by` months after `month` (before, when negative): `2026-11`, -11 → `2025-12`. */
function shiftMonth(month: string, by: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The first instant of a month (Asia/Shanghai), as stored times are written (ISO, UTC). */
const monthStart = (month: string): string => new Date(`${month}-01T00:00:00+08:00`).toISOString();

type Item = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One partition of the month index; `type`: only items of that type come back. */
function indexPartition(partition: string, type?: string): Promise<Item[]> {
  return queryAll({
    IndexName: MONTH_INDEX.name,
    KeyConditionExpression: '#m = :m',
    ExpressionAttributeNames: { '#m': MONTH_INDEX.partition, ...(type ? { '#t': 'type' } : {}) },
    ExpressionAttributeValues: { ':m': partition, ...(type ? { ':t': type } : {}) },
    ...(type ? { FilterExpression: '#t = :t' } : {}),
  });
}

/** The re-scoring runs of a month: a range of the rules' partition (`RESCORE#<time>#<run>`). */
function rescoreRuns(county: string, month: string): Promise<Item[]> {
  return queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.rules(county),
      ':from': `RESCORE#${monthStart(month)}`,
      ':to': `RESCORE#${monthStart(shiftMonth(month, 1))}`,
    },
  });
}

/** A 通报's run (shared/mail/runs.ts: `RUN` in the month's 通报 partition). */
const bulletinRunKey = (county: string, period: string): ItemKey => ({ pk: keys.bulletin(county, period), sk: 'RUN' });

/** What the rows need of the piece events and log items the index found (not projected there). */
const DETAIL_ATTRIBUTES = [
  'type',
  'at',
  'editorId',
  'editorName',
  'comment',
  'issueNo',
  'revision',
  'receipt',
  'title',
  'recordedBy',
  'level',
  'outlet',
  'issue',
  'adoptedOn',
  'instruction',
  'source',
  'by',
  'reason',
  'personId',
  'detail',
];

/** Who a record names, as the page shows them and the filter knows them. */
class People {
  private readonly byId: Map<string, Person>;
  private readonly byName = new Map<string, Person | null>();
  private readonly units: Map<string, string>;

  constructor(roster: Roster) {
    this.byId = new Map(roster.people.map((p) => [p.personId, p]));
    this.units = new Map(roster.units.map((u) => [u.unitId, u.name]));
    for (const p of roster.people.filter((p) => p.role !== 'informant')) {
      // Two editors or leaders of the same name: a record that keeps only the name cannot say which.
      this.byName.set(p.name, this.byName.has(p.name) ? null : p);
    }
  }

  /** An actor with an id (decisions, adoptions), or only a name (topics, tasks, rules, the 信息奖, the 通报). */
  actor(by: Partial<Actor> | undefined): Pick<AuditRow, 'who' | 'person'> {
    const name = by?.name ?? '';
    const known = by?.personId ? this.byId.get(by.personId) : undefined;
    if (by?.personId) {
      return { who: by.personId, person: known ? `${name || known.name}（${ROLE_WORDS[known.role]}）` : name };
    }
    if (name === OPERATOR_NAME) return { who: OPERATOR, person: OPERATOR_NAME };
    const named = this.byName.get(name);
    if (named) return { who: named.personId, person: `${name}（${ROLE_WORDS[named.role]}）` };
    return { person: name || '（未记录）' };
  }

  /** The person an action was done to: name, role word and unit. */
  subject(personId: string): string {
    const p = this.byId.get(personId);
    if (!p) return '（已不在名单中的人员）';
    const unit = p.unitId ? this.units.get(p.unitId) : undefined;
    return `${p.name}（${ROLE_WORDS[p.role]}${unit ? `，${unit}` : ''}）`;
  }

  unitNames(): Record<string, string> {
    return Object.fromEntries(this.units);
  }
}

const pieceObject = (receipt: string, title: string) => [receipt, title].filter(Boolean).join(' ');
const joined = (...parts: (string | false | undefined)[]) => parts.filter(Boolean).join('；');

function decisionRow(e: Item, revision: Item | undefined, people: People): AuditRow {
  const type = e.type as DecisionType;
  const comment = str(e.comment);
  const issue = e.issueNo ? `编入《组工专报》第 ${str(e.issueNo)} 期` : '编入《组工专报》';
  return {
    at: str(e.at),
    ...people.actor({ personId: str(e.editorId) || undefined, name: str(e.editorName) }),
    action: DECISION_LABELS[type],
    object: pieceObject(str(e.receipt), str(revision?.title)),
    details: joined(
      `第 ${str(e.revision)} 稿`,
      type === 'accepted' && issue,
      comment && `${type === 'returned' ? '修改意见' : '备注'}：${comment}`,
    ),
  };
}

const adoptionWhere = (a: Item) =>
  `${LEVEL_LABELS[a.level as keyof typeof LEVEL_LABELS] ?? ''}：${str(a.outlet)}第 ${str(a.issue)} 期`;

function adoptionRow(a: Item, people: People): AuditRow {
  const instruction = INSTRUCTION_LABELS[a.instruction as keyof typeof INSTRUCTION_LABELS];
  return {
    at: str(a.at),
    ...people.actor(a.recordedBy as Actor | undefined),
    action: '登记上级采用',
    object: pieceObject(str(a.receipt), str(a.title)),
    details: joined(
      adoptionWhere(a),
      `采用日期 ${str(a.adoptedOn)}`,
      instruction && a.instruction !== 'none' && instruction,
      a.source === 'import' && '按目录批量登记',
    ),
  };
}

function withdrawalRow(w: Item, adoption: Item | undefined, people: People): AuditRow {
  return {
    at: str(w.at),
    ...people.actor(w.by as Actor | undefined),
    action: '撤销上级采用',
    object: pieceObject(str(w.receipt), str(adoption?.title)),
    details: joined(adoption && adoptionWhere(adoption), `原因：${str(w.reason)}`),
  };
}

function loggedRow(item: Item, people: People): AuditRow | undefined {
  const type = str(item.type);
  if (!Object.hasOwn(LOGGED, type)) return undefined;
  const action = LOGGED[type]!;
  const subject = str(item.personId);
  return {
    at: str(item.at),
    ...people.actor(item.by as Actor | undefined),
    action,
    object: item.type === 'import' ? '名单' : subject ? people.subject(subject) : '',
    details: item.type === 'newLink' || item.type === 'deskNewLink' ? '新链接已发往其邮箱' : str(item.detail),
  };
}

function callRows(
  call: Pick<Topic, 'title' | 'createdAt' | 'createdBy' | 'closedAt' | 'closedBy'>,
  words: { issued: string; closed: string },
  details: string,
  inMonth: (at: string | undefined) => boolean,
  people: People,
): AuditRow[] {
  return [
    ...(inMonth(call.createdAt)
      ? [
          {
            at: call.createdAt,
            ...people.actor({ name: call.createdBy }),
            action: words.issued,
            object: call.title,
            details,
          },
        ]
      : []),
    ...(call.closedAt && inMonth(call.closedAt)
      ? [
          {
            at: call.closedAt,
            ...people.actor({ name: call.closedBy }),
            action: words.closed,
            object: call.title,
            details: '',
          },
        ]
      : []),
  ];
}

/** The month's actions; the roster (names, role words, the filter's choices) is read beside the records. */
export async function auditLog(filter: AuditFilter): Promise<AuditLog> {
  const county = config().countyId;
  const { month } = filter;
  const first = shiftMonth(month, -(LOOKBACK_MONTHS - 1));
  const earlier = monthsFrom(first, shiftMonth(month, -1));
  const year = Number(month.slice(0, 4));
  const metaKeys = {
    rules: rulesKey(county),
    awards: [year, year - 1].map((y) => ({ year: y, key: awardKey(county, y) })),
    runs: earlier.map((period) => ({ period, key: bulletinRunKey(county, period) })),
  };
  const [current, withdrawals, logged, topics, tasks, rescores, meta, rosterRead] = await Promise.all([
    indexPartition(keys.month(county, month)),
    Promise.all(earlier.map((m) => indexPartition(keys.month(county, m), 'withdrawn'))),
    indexPartition(auditMonthKey(county, month)),
    listTopics(county, first),
    listTasks(county, quarterOf(first), undefined, '9999Q4'),
    rescoreRuns(county, month),
    Promise.all([
      getItems([metaKeys.rules], { attributes: ['versions'] }),
      getItems(
        metaKeys.awards.map((a) => a.key),
        { attributes: ['sentAt', 'sentBy', 'recipients'] },
      ),
      getItems(
        metaKeys.runs.map((r) => r.key),
        { attributes: ['startedAt', 'startedBy', 'round'] },
      ),
    ]),
    listRoster(county),
  ]);
  const inMonth = (at: string | undefined) => at !== undefined && at !== '' && monthOf(new Date(at)) === month;
  checkPerson(filter, rosterRead);
  const people = new People(rosterRead);

  // The piece events and log items of the month, with what the index does not project of them.
  const decisions = current.filter((e) => e.type === 'accepted' || e.type === 'returned' || e.type === 'rejected');
  const adoptions = current.filter((e) => e.type === 'adopted');
  const withdrawn = [...current.filter((e) => e.type === 'withdrawn'), ...withdrawals.flat()].filter((w) =>
    inMonth(str(w.at)),
  );
  const key = (i: Item): ItemKey => ({ pk: str(i.pk), sk: str(i.sk) });
  const revisionKey = (d: Item): ItemKey => ({ pk: str(d.pk), sk: keys.eventSk(keys.seqOf(str(d.sk)) - 1) });
  const adoptionKey = (w: Item): ItemKey => ({ pk: str(w.pk), sk: keys.adoptionSk(str(w.adoptionId)) });
  const details = await getItems(
    [
      ...decisions.flatMap((d) => [key(d), revisionKey(d)]),
      ...adoptions.map(key),
      ...withdrawn.flatMap((w) => [key(w), adoptionKey(w)]),
      ...logged.map(key),
    ],
    { attributes: DETAIL_ATTRIBUTES },
  );
  const full = (k: ItemKey): Item | undefined => details.get(keyId(k));

  const rows: AuditRow[] = [
    ...decisions.map((d) => decisionRow({ ...d, ...full(key(d)) }, full(revisionKey(d)), people)),
    ...adoptions.map((a) => adoptionRow({ ...a, ...full(key(a)) }, people)),
    ...withdrawn.map((w) => withdrawalRow({ ...w, ...full(key(w)) }, full(adoptionKey(w)), people)),
    ...logged.flatMap((l) => loggedRow({ ...l, ...full(key(l)) }, people) ?? []),
    ...topics.flatMap((t) =>
      callRows(
        t,
        { issued: '发布点题', closed: '结束点题' },
        `截止 ${t.due}；面向${audienceOf(t, people.unitNames())}`,
        inMonth,
        people,
      ),
    ),
    ...tasks.flatMap((t: Task) =>
      callRows(
        t,
        { issued: '布置重点调研任务', closed: '结束重点调研任务' },
        joined(`${quarterLabel(t.quarter)}，截止 ${t.due}`, t.lead && `牵头人 ${t.lead}`),
        inMonth,
        people,
      ),
    ),
    ...rescores
      .filter((r) => inMonth(str(r.at)))
      .map((r) => ({
        at: str(r.at),
        ...people.actor(r.by as Actor | undefined),
        action: '重新计分',
        object: '积分',
        details: `${str(r.from)} 起的采用：核对 ${str(r.checked)} 条，调整 ${str(r.changed)} 条，合计 ${Number(r.delta) > 0 ? '+' : ''}${str(r.delta)} 分`,
      })),
    ...(((meta[0].get(keyId(metaKeys.rules))?.versions ?? []) as RuleVersion[])
      .filter((v) => inMonth(v.setAt))
      .map((v) => ({
        at: v.setAt,
        ...people.actor({ name: v.setBy }),
        action: '登记积分规则',
        object: `第 ${v.version} 版积分规则`,
        details: `${v.effectiveFrom} 起生效`,
      })) satisfies AuditRow[]),
    ...metaKeys.awards.flatMap(({ year: y, key: k }) => {
      const sent = meta[1].get(keyId(k));
      if (!sent || !inMonth(str(sent.sentAt))) return [];
      return [
        {
          at: str(sent.sentAt),
          ...people.actor({ name: str(sent.sentBy) }),
          action: '发送信息奖',
          object: `${y} 年度信息奖`,
          details: `收件人 ${str(sent.recipients)} 位`,
        },
      ];
    }),
    ...metaKeys.runs.flatMap(({ period, key: k }) => {
      const run = meta[2].get(keyId(k));
      if (!run || !inMonth(str(run.startedAt)) || run.startedBy === SCHEDULED) return [];
      const round = Number(run.round) || 1;
      return [
        {
          at: str(run.startedAt),
          ...people.actor({ name: str(run.startedBy) }),
          action: '发送通报',
          object: bulletinTitle(period),
          details: round > 1 ? `第 ${round} 次发送` : '',
        },
      ];
    }),
  ];
  const shown = filter.person ? rows.filter((r) => r.who === filter.person) : rows;
  return {
    filter,
    rows: shown.sort((a, b) => b.at.localeCompare(a.at) || a.action.localeCompare(b.action, 'zh')),
    people: auditPeople(rosterRead),
  };
}
