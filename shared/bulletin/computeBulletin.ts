// Use case: the 月通报 of a month, computed — every figure its forms show. Reads month-keyed Queries only: the month
// partitions of the year up to the month (the report index, its projection), the topics' partition, the roster's,
// and the waiting revisions (the awaiting index): the cost follows the year and what is open, never history.
// A piece counts in the month it was first sent, a decision in the month it was made, an adoption and its points in
// the month it was recorded (corrections with the adoption they correct), as the desk's 数据 counts them.
import { dayOf, monthOf, monthsFrom, now } from '../core/clock';
import { config } from '../core/config';
import { type PieceEvent, waitingSince } from '../pieces/events';
import { monthsEvents } from '../reports/issueStats';
import { quarterOf } from '../research/quarters';
import { matrixMonths, STATE_LABELS, STATE_ORDER, taskCells } from '../research/status';
import { listTasks, type Task } from '../research/tasks';
import { listRoster, reportingUnits } from '../roster/people';
import { type ScoreEvent, standing } from '../scoring/contributions';
import type { ReadUsage } from '../store/db';
import { answersIn, responsesOf, topicMonths } from '../topics/responses';
import { audienceOf, listTopics, type Topic } from '../topics/topics';
import { type Bulletin, bulletinTitle, type Tally, type TopicLine, type UnitRow } from './bulletin';

const DAY_MS = 86_400_000;

const zero = (): Tally => ({
  sent: 0,
  research: 0,
  accepted: 0,
  adopted: { prefecture: 0, region: 0, central: 0 },
  instructions: 0,
  points: 0,
});

const round2 = (n: number) => Math.round(n * 100) / 100;

/** One month's events into tallies: by unit (created as met) and the county's. */
function tallyMonth(events: PieceEvent[], into: (unitId: string) => Tally[]): void {
  for (const e of events) {
    if (e.type === 'submitted') {
      for (const t of into(e.unitId)) {
        t.sent += 1;
        if (e.kind === 'research') t.research += 1;
      }
    } else if (e.type === 'accepted') {
      for (const t of into(e.unitId)) t.accepted += 1;
    }
  }
  for (const c of standing(events as unknown as ScoreEvent[])) {
    for (const t of into(c.unitId)) {
      if (c.level !== 'county') t.adopted[c.level] += 1;
      if (c.instruction !== 'none') t.instructions += 1;
      t.points = round2(t.points + c.points);
    }
  }
}

/** Competition ranks by points (1, 1, 3): equal points, equal rank. */
function ranks(points: Map<string, number>): Map<string, number> {
  const sorted = [...points.entries()].sort((a, b) => b[1] - a[1]);
  const out = new Map<string, number>();
  sorted.forEach(([id, p], i) => {
    const prev = sorted[i - 1];
    out.set(id, prev && prev[1] === p ? out.get(prev[0])! : i + 1);
  });
  return out;
}

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return round2(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
};

/** Open at some moment of the month: issued by its end, not closed or past due before it began. */
function openIn(topic: Topic, month: string): boolean {
  const end = topic.closedAt ? monthOf(new Date(topic.closedAt)) : topic.due.slice(0, 7);
  return topic.createdMonth <= month && end >= month;
}

const nextMonth = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

/** `usage`: the read capacity its history-bound Queries consume (the month partitions, the topics), for the bench. */
/**
 * The events the quarter's tasks need (from the first task's month): those of the year already read, and the months
 * before January only when a task was assigned in the year before (a Query each, rare).
 */
async function taskEvents(
  county: string,
  month: string,
  tasks: Task[],
  byMonth: PieceEvent[][],
  usage?: ReadUsage,
): Promise<PieceEvent[]> {
  const months = monthsFrom(`${month.slice(0, 4)}-01`, month);
  const needed = matrixMonths(quarterOf(month), tasks, dayOf(now())).filter((m) => m <= month);
  const earlier = needed.filter((m) => m < months[0]!);
  const before = earlier.length ? (await monthsEvents(county, earlier, usage)).flat() : [];
  return [...before, ...months.flatMap((m, i) => (needed.includes(m) ? byMonth[i]! : []))];
}

/** The quarter's tasks as the 通报 tells them: where each unit stands (from the quarter's events), by status. */
function researchLines(
  tasks: Task[],
  units: { names: Record<string, string>; reporting: string[] },
  quarterEvents: PieceEvent[],
): NonNullable<Bulletin['research']> {
  const cells = taskCells(tasks, units.reporting, quarterEvents, dayOf(now()));
  return {
    quarter: tasks[0]!.quarter,
    tasks: tasks.map((t) => ({
      title: t.title,
      due: t.due,
      lead: t.lead,
      units: STATE_ORDER.map((state) => ({
        state: STATE_LABELS[state],
        names: Object.entries(cells[t.taskId] ?? {})
          .filter(([, c]) => c.state === state)
          .map(([u]) => units.names[u] ?? u)
          .sort((a, b) => a.localeCompare(b, 'zh')),
      })).filter((s) => s.names.length > 0),
    })),
  };
}

export async function computeBulletin(month: string, usage?: ReadUsage): Promise<Bulletin> {
  const county = config().countyId;
  const { yearlyTarget, monthlyResearchTarget } = config();
  const year = Number(month.slice(0, 4));
  const months = monthsFrom(`${year}-01`, month);
  // The last month of a quarter also reports the quarter's research tasks (their partition's one range).
  const quarterEnd = Number(month.slice(5)) % 3 === 0;
  const [byMonth, roster, topics, waiting, tasks] = await Promise.all([
    monthsEvents(county, months, usage),
    listRoster(county),
    // A topic open in the month falls due in it or later: one range of the topics' partition, whatever came before.
    listTopics(county, month, usage),
    waitingSince(county),
    quarterEnd ? listTasks(county, quarterOf(month), usage) : Promise.resolve([]),
  ]);
  const units = reportingUnits(roster);
  const current = byMonth.at(-1) ?? [];

  // Tallies: this month, the year to date, and the year to date at the end of last month (for the change of rank).
  const monthT = new Map<string, Tally>();
  const yearT = new Map<string, Tally>();
  const lastT = new Map<string, Tally>();
  const county_ = { month: zero(), year: zero() };
  const get = (map: Map<string, Tally>, id: string) => {
    const t = map.get(id) ?? zero();
    map.set(id, t);
    return t;
  };
  for (const id of units.reporting) {
    get(monthT, id);
    get(yearT, id);
  }
  byMonth.forEach((events, i) => {
    const isCurrent = i === byMonth.length - 1;
    tallyMonth(events, (id) => [
      get(yearT, id),
      county_.year,
      ...(isCurrent ? [get(monthT, id), county_.month] : [get(lastT, id)]),
    ]);
  });

  const ids = [...yearT.keys()];
  const yearRanks = ranks(new Map(ids.map((id) => [id, yearT.get(id)!.points])));
  const monthRanks = ranks(new Map(ids.map((id) => [id, get(monthT, id).points])));
  const lastIds = ids.filter((id) => lastT.has(id) || units.reporting.includes(id));
  const lastRanks =
    months.length > 1 ? ranks(new Map(lastIds.map((id) => [id, lastT.get(id)?.points ?? 0]))) : undefined;

  const monthsGone = months.length;
  const dueByNow = Math.round((yearlyTarget * monthsGone) / 12);
  const unitShareByNow =
    units.reporting.length > 0 ? round2((yearlyTarget * monthsGone) / 12 / units.reporting.length) : 0;
  const name = (id: string) => units.names[id] ?? `（已不在名单中的单位 ${id}）`;
  const rows: UnitRow[] = ids
    .map((id) => {
      const m = get(monthT, id);
      const y = yearT.get(id)!;
      const reporting = units.reporting.includes(id);
      const last = lastRanks?.get(id);
      return {
        unitId: id,
        name: name(id),
        month: m,
        year: y,
        monthRank: monthRanks.get(id)!,
        yearRank: yearRanks.get(id)!,
        ...(last !== undefined ? { lastYearRank: last } : {}),
        silent: reporting && m.sent === 0,
        belowShare: reporting && y.sent < unitShareByNow,
      };
    })
    .sort(
      (a, b) =>
        a.yearRank - b.yearRank ||
        b.month.points - a.month.points ||
        b.year.sent - a.year.sent ||
        a.name.localeCompare(b.name, 'zh'),
    );
  const byName = (list: UnitRow[]) => list.map((r) => r.name).sort((a, b) => a.localeCompare(b, 'zh'));

  // Topics: answers over each topic's life up to this month; months before January are read for them alone.
  const shown = topics.filter((t) => openIn(t, month));
  const next = nextMonth(month);
  const dueNext = topics.filter((t) => !t.closedAt && t.due.slice(0, 7) === next);
  const read = new Map(months.map((m, i) => [m, byMonth[i]!]));
  const extra = [...new Set([...shown, ...dueNext].flatMap((t) => topicMonths(t, month)))].filter((m) => !read.has(m));
  for (const [i, events] of (await monthsEvents(county, extra, usage)).entries()) read.set(extra[i]!, events);
  const line = (t: Topic): TopicLine => {
    const answers = answersIn(topicMonths(t, month).flatMap((m) => read.get(m) ?? []));
    const r = responsesOf(t, answers, units);
    return {
      id: t.topicId,
      title: t.title,
      due: t.due,
      audience: t.units === 'all' ? '全部单位' : `${t.units.length} 个单位（${audienceOf(t, units.names)}）`,
      responses: r.answered.map((u) => ({ unitName: u.name, pieces: u.receipts.length })),
      unanswered: r.unanswered.length,
    };
  };

  const decisions = current.filter((e) => e.type === 'accepted' || e.type === 'returned' || e.type === 'rejected');
  const waits = decisions
    .filter((e) => e.revisionAt)
    .map((e) => (new Date(e.at).getTime() - new Date(e.revisionAt!).getTime()) / DAY_MS);
  const at = now();
  const oldest = waiting[0];
  const issues = [...new Set(current.filter((e) => e.type === 'accepted' && e.issueNo).map((e) => e.issueNo!))].sort(
    (a, b) => a - b,
  );
  const projected = Math.round((county_.year.sent / monthsGone) * 12);
  return {
    month,
    year,
    title: bulletinTitle(month),
    computedAt: at.toISOString(),
    provisional: month >= monthOf(at),
    summary: { month: county_.month, year: county_.year, issues },
    target: {
      yearly: yearlyTarget,
      monthlyResearch: monthlyResearchTarget,
      projected,
      percent: Math.round((projected / yearlyTarget) * 100),
      dueByNow,
      unitShareByNow,
    },
    perMonth: months.map((m, i) => ({ month: m, sent: byMonth[i]!.filter((e) => e.type === 'submitted').length })),
    units: rows,
    silent: byName(rows.filter((r) => r.silent)),
    belowShare: byName(rows.filter((r) => r.belowShare)),
    ...(tasks.length
      ? { research: researchLines(tasks, units, await taskEvents(county, month, tasks, byMonth, usage)) }
      : {}),
    topics: { open: shown.map(line), dueNext: dueNext.map(line) },
    health: {
      waiting: waiting.length,
      ...(oldest
        ? {
            oldestWaitDays: Math.floor((at.getTime() - new Date(oldest.since).getTime()) / DAY_MS),
            oldestReceipt: oldest.key.pk.slice(oldest.key.pk.lastIndexOf('#') + 1),
          }
        : {}),
      ...(waits.length ? { medianDecisionDays: median(waits) } : {}),
      decisions: decisions.length,
    },
  };
}
