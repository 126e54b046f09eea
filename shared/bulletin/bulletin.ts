// The monthly 通报 (月通报) as data: everything its forms show — the HTML email and its plain text, the signed web
// view with its charts, the .xlsx unit table, the .docx for the 月例会 — computed once (computeBulletin) and rendered
// by each form from this alone, so every form says the same.

/** Adoptions upstream by level (地区, 自治区, 中央). */
import { quarterLabel } from '../research/quarters';
export interface ByLevel {
  prefecture: number;
  region: number;
  central: number;
}

export interface Tally {
  /** Pieces first sent in the period, of both kinds, and the 调研文稿 among them. */
  sent: number;
  research: number;
  /** Accepted into 《组工专报》 in the period. */
  accepted: number;
  /** Adoptions upstream recorded in the period and standing. */
  adopted: ByLevel;
  /** 批示 on the adoptions (and acceptances) of the period. */
  instructions: number;
  /** Points of every standing adoption of the period (the acceptance is the county-level adoption). */
  points: number;
}

export interface UnitRow {
  unitId: string;
  name: string;
  month: Tally;
  year: Tally;
  /** Competition ranks (1, 1, 3) by points: this month's, and the year to date's. */
  monthRank: number;
  yearRank: number;
  /** The year-to-date rank at the end of last month (none in January, or for a unit new this month). */
  lastYearRank?: number;
  /** Sent nothing this month (a unit with informants). */
  silent: boolean;
  /** Year to date below its share of the yearly target by now. */
  belowShare: boolean;
}

export interface TopicResponse {
  unitName: string;
  pieces: number;
}

export interface TopicLine {
  id: string;
  title: string;
  /** `2026-12-15` */
  due: string;
  /** 全部单位, or how many chosen units. */
  audience: string;
  /** Units that answered it, with their pieces (the whole life of the topic up to the end of the month). */
  responses: TopicResponse[];
  /** Target units that have not answered it. */
  unanswered: number;
}

export interface Bulletin {
  /** `2026-10` */
  month: string;
  year: number;
  /** `2026年10月组工信息工作通报` */
  title: string;
  /** When it was computed (ISO). */
  computedAt: string;
  /** The month is not over yet (a preview from the desk). */
  provisional: boolean;
  summary: {
    month: Tally;
    year: Tally;
    /** 《组工专报》 issues with pieces accepted this month, ascending. */
    issues: number[];
  };
  target: {
    /** Pieces the county means to send this year (default 230). */
    yearly: number;
    /** 调研文稿 a month (default 4). */
    monthlyResearch: number;
    /** The year's pieces expected from the pace so far: year-to-date ÷ months × 12, rounded. */
    projected: number;
    /** projected ÷ yearly, in whole percent. */
    percent: number;
    /** Pieces the target's even pace asks for by the end of this month. */
    dueByNow: number;
    /** Each unit's share of dueByNow (yearly ÷ reporting units × months ÷ 12). */
    unitShareByNow: number;
  };
  /** Pieces sent per month from January to this month (the pace chart). */
  perMonth: { month: string; sent: number }[];
  /** Every unit with informants (and any other unit that sent), ranked by year-to-date points. */
  units: UnitRow[];
  /** 本月未报送单位, by name. */
  silent: string[];
  /** Units below their share of the target by now, by name. */
  belowShare: string[];
  /** In the last month of a quarter: the quarter's 重点调研 tasks, where their units stand, who is overdue. */
  research?: {
    quarter: string;
    /** Per task, its units by status, better news first (the matrix, a task to a line). */
    tasks: { title: string; due: string; lead: string; units: { state: string; names: string[] }[] }[];
  };
  topics: {
    /** Topics open at some time this month, with their responses. */
    open: TopicLine[];
    /** Topics due next month. */
    dueNext: TopicLine[];
  };
  health: {
    /** Revisions waiting for a decision when the 通报 was computed, and the oldest's wait in whole days. */
    waiting: number;
    oldestWaitDays?: number;
    oldestReceipt?: string;
    /** Median days from a revision to its decision, over this month's decisions (none when none carry it). */
    medianDecisionDays?: number;
    decisions: number;
  };
}

export const LEVEL_NAMES: Record<keyof ByLevel, string> = { prefecture: '地区', region: '自治区', central: '中央' };

export const bulletinTitle = (month: string): string =>
  `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月组工信息工作通报`;

export const adoptedTotal = (b: ByLevel): number => b.prefecture + b.region + b.central;

/** `地区 3、自治区 1、中央 0`: a tally's adoptions by level, in words. */
export const levelsText = (t: Pick<Tally, 'adopted'>): string =>
  (Object.keys(LEVEL_NAMES) as (keyof ByLevel)[]).map((l) => `${LEVEL_NAMES[l]} ${t.adopted[l]}`).join('、');

/** In the last month of a quarter: the quarter's research tasks, one line each. */
export function researchLines(b: Bulletin): string[] {
  if (!b.research) return [];
  return b.research.tasks.map(
    (t) =>
      `“${t.title}”（${t.due} 截止${t.lead ? `，牵头人 ${t.lead}` : ''}）：${t.units.map((u) => `${u.state} ${u.names.join('、')}`).join('；')}。`,
  );
}

export const researchHeading = (b: Bulletin): string =>
  `六、重点调研任务（${quarterLabel(b.research?.quarter ?? '')}）`;
