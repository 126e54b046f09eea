// Where each research task stands for each of its units, derived from the pieces' events alone: 未提交 (nothing
// yet), 已提交 (a research paper names the task and waits for a decision), 已退回 (returned for revision), 已采用
// (accepted into 《组工专报》), 未予采用 (rejected), 逾期 (the due day passed with nothing submitted) — with the day it
// came to be, the papers, and their adoptions upstream. Reads the month partitions from the quarter's first task on to
// six months after the quarter (decisions and adoptions come later than papers), never more: the cost follows the
// quarter, not the history.
import { dayOf, monthOf, monthsFrom, now, shiftDay } from '../core/clock';
import { config } from '../core/config';
import type { PieceEvent } from '../pieces/events';
import { monthsEvents } from '../reports/issueStats';
import { listRoster, type Roster, reportingUnits } from '../roster/people';
import { COUNTY_ADOPTION, isScoreEvent, type ScoreEvent, standing } from '../scoring/contributions';
import type { ReadUsage } from '../store/db';
import { quarterMonths } from './quarters';
import { assignedUnits, listTasks, type Task } from './tasks';

export type TaskState = 'none' | 'submitted' | 'returned' | 'accepted' | 'rejected' | 'overdue';

export const STATE_LABELS: Record<TaskState, string> = {
  none: '未提交',
  submitted: '已提交',
  returned: '已退回',
  accepted: '已采用',
  rejected: '未予采用',
  overdue: '逾期',
};

export interface TaskCell {
  state: TaskState;
  /** The day the state came to be (the paper sent, returned, accepted; the day after the due day for 逾期). */
  on?: string;
  /** The unit's papers naming the task (receipt numbers). */
  receipts: string[];
  /** Adoptions upstream of its accepted papers (地区, 自治区, 中央), standing. */
  adoptions: number;
}

export interface TaskMatrix {
  quarter: string;
  tasks: Task[];
  /** Every unit any task is assigned to (of those with informants), by name. */
  units: { unitId: string; name: string }[];
  /** By task id, by unit id: the cell of an assigned unit (a unit not assigned has none). */
  cells: Record<string, Record<string, TaskCell>>;
  computedAt: string;
}

/** Better news first: the state a unit's several papers give together is the best one's. */
const RANK: TaskState[] = ['accepted', 'submitted', 'returned', 'rejected'];

/** A piece's state by its last event (a revision after a return waits again). */
function pieceState(events: PieceEvent[]): { state: TaskState; on: string } {
  const last = [...events].sort((a, b) => a.at.localeCompare(b.at)).at(-1)!;
  const state: TaskState =
    last.type === 'accepted'
      ? 'accepted'
      : last.type === 'returned'
        ? 'returned'
        : last.type === 'rejected'
          ? 'rejected'
          : 'submitted';
  return { state, on: dayOf(last.at) };
}

/** The cells of tasks over the events read for them; `today` decides 逾期. */
export function taskCells(
  tasks: Task[],
  reporting: string[],
  events: PieceEvent[],
  today: string,
): Record<string, Record<string, TaskCell>> {
  // A paper names the task its latest revision names (a paper revised into an 信息 names none any more).
  const named = new Map<string, { taskId: string; unitId: string }>();
  const revisions = events.filter((e) => e.type === 'submitted' || e.type === 'revised');
  for (const e of revisions.sort((a, b) => a.revision - b.revision || a.at.localeCompare(b.at))) {
    if (e.taskId) named.set(e.pieceId, { taskId: e.taskId, unitId: e.unitId });
    else named.delete(e.pieceId);
  }
  const byPiece = new Map<string, PieceEvent[]>();
  for (const e of events) {
    if (!named.has(e.pieceId) || !['submitted', 'revised', 'accepted', 'returned', 'rejected'].includes(e.type))
      continue;
    byPiece.set(e.pieceId, [...(byPiece.get(e.pieceId) ?? []), e]);
  }
  const upstream = new Map<string, number>();
  for (const c of standing(events.filter(isScoreEvent) as unknown as ScoreEvent[])) {
    if (c.adoptionId !== COUNTY_ADOPTION && named.has(c.pieceId)) {
      upstream.set(c.pieceId, (upstream.get(c.pieceId) ?? 0) + 1);
    }
  }
  const cells: Record<string, Record<string, TaskCell>> = {};
  for (const task of tasks) {
    const row: Record<string, TaskCell> = {};
    for (const unitId of assignedUnits(task, reporting)) {
      const pieces = [...byPiece.entries()]
        .filter(([pieceId]) => {
          const n = named.get(pieceId)!;
          return n.taskId === task.taskId && n.unitId === unitId;
        })
        .map(([pieceId, evs]) => ({ pieceId, receipt: evs[0]!.receipt, ...pieceState(evs) }));
      const best = pieces.sort((a, b) => RANK.indexOf(a.state) - RANK.indexOf(b.state) || a.on.localeCompare(b.on))[0];
      const state: TaskState = best?.state ?? (task.due < today ? 'overdue' : 'none');
      row[unitId] = {
        state,
        ...(best ? { on: best.on } : state === 'overdue' ? { on: shiftDay(task.due, 1) } : {}),
        receipts: pieces.map((p) => p.receipt).sort(),
        adoptions: pieces.reduce((n, p) => n + (upstream.get(p.pieceId) ?? 0), 0),
      };
    }
    cells[task.taskId] = row;
  }
  return cells;
}

/** The states as a report lists them, better news first. */
export const STATE_ORDER: TaskState[] = ['accepted', 'submitted', 'returned', 'rejected', 'overdue', 'none'];

/** How many units stand where on a task (已采用 2 个、逾期 1 个…), better news first. */
export function stateCounts(row: Record<string, TaskCell>): string {
  const counts = new Map<TaskState, number>();
  for (const c of Object.values(row)) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return STATE_ORDER.filter((s) => counts.get(s))
    .map((s) => `${STATE_LABELS[s]} ${counts.get(s)} 个`)
    .join('、');
}

/** The months whose partitions hold what a quarter's tasks became: from the first task's on, up to now. */
export function matrixMonths(quarter: string, tasks: Task[], today = dayOf(now())): string[] {
  const months = quarterMonths(quarter);
  const from = [months[0]!, ...tasks.map((t) => monthOf(new Date(t.createdAt)))].sort()[0]!;
  const last = Number(months[2]!.slice(0, 4)) * 12 + Number(months[2]!.slice(5)) - 1 + 6;
  const sixAfter = `${Math.floor(last / 12)}-${String((last % 12) + 1).padStart(2, '0')}`;
  const to = [today.slice(0, 7), sixAfter].sort()[0]!;
  return to < from ? [] : monthsFrom(from, to);
}

/** The quarter's matrix: its tasks (one Query), the roster, and the month partitions they need. */
export async function taskMatrix(quarter: string, usage?: ReadUsage, known?: Roster): Promise<TaskMatrix> {
  const county = config().countyId;
  const [tasks, roster] = await Promise.all([listTasks(county, quarter, usage), known ?? listRoster(county)]);
  const today = dayOf(now());
  const events = tasks.length ? (await monthsEvents(county, matrixMonths(quarter, tasks, today), usage)).flat() : [];
  const { names, reporting } = reportingUnits(roster);
  const assigned = new Set(tasks.flatMap((t) => assignedUnits(t, reporting)));
  return {
    quarter,
    tasks,
    units: reporting
      .filter((u) => assigned.has(u))
      .map((unitId) => ({ unitId, name: names[unitId] ?? unitId }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh')),
    cells: taskCells(tasks, reporting, events, today),
    computedAt: now().toISOString(),
  };
}
