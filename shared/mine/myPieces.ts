// Use case: 我的报送 — an informant's own page: their pieces this year with receipt number, status, the decisions and
// the feedback in full, and their unit's count this month. Opened with the personal key (from the form: it can
// write a new piece) or with the read-only link every email to them carries (emails are forwarded: it shows, and
// grants nothing else). Month-keyed Queries of the year (the report index), then one BatchGet of their events.
import { dayOf, monthOf, now, shanghai } from '../core/clock';
import { config } from '../core/config';
import { InvalidLinkError } from '../core/errors';
import { mineClaims } from '../links/links';
import { isDecision, type PieceEvent } from '../pieces/events';
import { monthsEvents } from '../reports/issueStats';
import { eventsSince, foldPieces, type PieceRow } from '../reports/pieceRows';
import { thisQuarter } from '../research/quarters';
import { matrixMonths, type TaskCell, taskCells } from '../research/status';
import { listTasks, type Task } from '../research/tasks';
import type { Person } from '../roster/people';
import { informantByKey, informantOf } from '../roster/personalLinks';
import { contributions, isScoreEvent, type ScoreEvent } from '../scoring/contributions';
import type { Instruction, Level } from '../scoring/rules';
import { getItems, type ItemKey, keyId } from '../store/db';
import { isOpen, openTopicsFor, openTopicsKey } from '../topics/topics';

export interface MyPiece extends PieceRow {
  /** Every decision on the piece (who, what, the feedback), oldest first. */
  decisions: PieceEvent[];
  /** Its adoptions this year (《组工专报》 and upward), with their points now; withdrawn ones marked. */
  adoptions: MyAdoption[];
  /** Its points this year (what stands). */
  points: number;
}

export interface MyAdoption {
  level: Level;
  /** Upward: the outlet and issue as recorded. */
  outlet?: string;
  issue?: string;
  adoptedOn: string;
  instruction: Instruction;
  points: number;
  withdrawn: boolean;
}

export interface EarlierPiece {
  pieceId: string;
  receipt: string;
  title: string;
  adoptions: MyAdoption[];
  points: number;
}

export interface MyPieces {
  informant: Person;
  unitName: string;
  year: number;
  pieces: MyPiece[];
  /** Pieces sent in an earlier year with adoptions this year (they count in this year's scores). */
  earlier: EarlierPiece[];
  /** Their points this year, all pieces. */
  points: number;
  /** Pieces the informant's unit sent this month (all its informants). */
  unitThisMonth: number;
  /** Open topics (点题) for the informant's unit, soonest due first, and whether the unit has answered each. */
  topics: { topicId: string; title: string; due: string; answeredByUnit: boolean }[];
  /** This quarter's 重点调研 tasks of the unit, and where the unit stands on each. */
  tasks: ({ taskId: string; title: string; due: string; lead: string; open: boolean } & TaskCell)[];
  /** The personal key, when the page was opened with it: the page's 写新稿件 leads to the form. */
  k?: string;
}

/** The events a task assigned last year needs from before January (none, mostly: no read). */
async function tasksBefore(year: number, tasks: Task[]): Promise<PieceEvent[]> {
  const earlier = tasks.length ? matrixMonths(tasks[0]!.quarter, tasks).filter((m) => m < `${year}-01`) : [];
  return earlier.length ? (await monthsEvents(config().countyId, earlier)).flat() : [];
}

/** This quarter's research tasks of the unit, each with where the unit stands on it. */
function unitTasks(tasks: Task[], unitId: string | undefined, events: PieceEvent[]): MyPieces['tasks'] {
  if (!unitId) return [];
  const cells = taskCells(tasks, [unitId], events, dayOf(now()));
  return tasks.flatMap((t) => {
    const cell = cells[t.taskId]?.[unitId];
    return cell ? [{ taskId: t.taskId, title: t.title, due: t.due, lead: t.lead, open: isOpen(t), ...cell }] : [];
  });
}

export async function myPieces(access: { k?: unknown; m?: unknown }): Promise<MyPieces> {
  const year = shanghai(now()).year;
  const open = openTopicsKey(config().countyId);
  const [{ informant, roster }, events, tasks] = await Promise.all([
    access.m !== undefined
      ? mineClaims(access.m).then((c) => informantOf(c.personId, c.keyVersion, [open]))
      : access.k !== undefined
        ? informantByKey(access.k, [open])
        : Promise.reject(new InvalidLinkError()),
    eventsSince(`${year}-01`),
    listTasks(config().countyId, thisQuarter()),
  ]);
  const mine = events.filter((e) => e.informantId === informant.personId);
  const rows = foldPieces(mine).reverse();
  // The full events (titles, feedback, who decided) of the informant's own pieces only.
  const full = await getItems(mine.map((e) => ({ pk: e.pk, sk: e.sk })));
  const item = (e: PieceEvent) => (full.get(keyId(e)) as PieceEvent | undefined) ?? e;
  const thisMonth = monthOf(now());
  /** A piece's adoptions among its events this year, each with its points now. */
  const adoptionsOf = (own: PieceEvent[]) =>
    contributions(own as unknown as ScoreEvent[]).map((c): MyAdoption => {
      const record = own.find((e) => e.sk === `A#${c.adoptionId}`) as unknown as
        | { outlet?: string; issue?: string }
        | undefined;
      return {
        level: c.level,
        ...(record?.outlet ? { outlet: record.outlet, issue: String(record.issue ?? '') } : {}),
        adoptedOn: c.adoptedOn,
        instruction: c.instruction,
        points: c.withdrawn ? 0 : c.points,
        withdrawn: c.withdrawn,
      };
    });
  const sum = (list: { points: number }[]) => Math.round(list.reduce((n, a) => n + a.points, 0) * 100) / 100;
  const pieces = rows.map((r) => {
    const own = mine.filter((e) => e.pieceId === r.pieceId).map(item);
    const latest = own.find((e) => e.sk === r.revisionKey.sk);
    const adoptions = adoptionsOf(own);
    return {
      ...r,
      title: latest?.title ?? '',
      decisions: own.filter(isDecision).sort((a, b) => a.sk.localeCompare(b.sk)),
      adoptions,
      points: sum(adoptions),
    };
  });
  // Pieces sent in an earlier year and adopted (or accepted) this year: they count in this year's scores too.
  const shown = new Set(rows.map((r) => r.pieceId));
  const earlierIds = [...new Set(mine.filter((e) => !shown.has(e.pieceId) && isScoreEvent(e)).map((e) => e.pieceId))];
  const earlierEvents = earlierIds.map((id) => mine.filter((e) => e.pieceId === id).map(item));
  // Their titles: on an adoption record read above, or on the revision accepted (read for those pieces alone).
  const titleKeys = earlierEvents.map(
    (own) => contributions(own as unknown as ScoreEvent[]).find((c) => c.titleKey)?.titleKey,
  );
  const titleOf = (key: ItemKey | undefined) => (key ? full.get(keyId(key))?.title : undefined);
  const missing = titleKeys.filter((key): key is ItemKey => key !== undefined && !titleOf(key));
  const revisions = missing.length ? await getItems(missing, { attributes: ['title'] }) : new Map();
  const earlier = earlierEvents.map((own, i): EarlierPiece => {
    const key = titleKeys[i];
    const adoptions = adoptionsOf(own);
    return {
      pieceId: own[0]!.pieceId,
      receipt: own[0]!.receipt,
      title: String(titleOf(key) ?? (key ? revisions.get(keyId(key))?.title : undefined) ?? ''),
      adoptions,
      points: sum(adoptions),
    };
  });
  return {
    informant,
    unitName: roster.summary.units[informant.unitId ?? ''] ?? '',
    year,
    pieces,
    earlier,
    points: sum([...pieces, ...earlier]),
    unitThisMonth: events.filter(
      (e) => e.type === 'submitted' && e.unitId === informant.unitId && monthOf(new Date(e.at)) === thisMonth,
    ).length,
    topics: openTopicsFor(roster.items.get(keyId(open)), informant.unitId).map((t) => ({
      topicId: t.topicId,
      title: t.title,
      due: t.due,
      answeredByUnit: events.some((e) => e.topicId === t.topicId && e.unitId === informant.unitId),
    })),
    tasks: unitTasks(tasks, informant.unitId, [...(await tasksBefore(year, tasks)), ...events]),
    ...(access.m === undefined && typeof access.k === 'string' ? { k: access.k } : {}),
  };
}
