// What scores are made of: every adoption of a piece, as the month-keyed report index holds it — the county's
// acceptance into 《组工专报》 (the decision `accepted`), each adoption upstream (`adopted`), and the corrections that
// name one of them (`withdrawn`, `rescored`), which are filed under the month of the adoption they correct. Each
// carries its points (a correction: the change), so a month's score is the sum of what its partition holds; this
// fold also says which adoptions still stand, at which level, on which day. Pure.
import { dayOf } from '../core/clock';
import { keys } from '../store/keys';
import { DEFAULT_VERSION, type Instruction, type Level, pointsFor } from './rules';

/** The event types that carry points. */
export type ScoreEventType = 'accepted' | 'adopted' | 'withdrawn' | 'rescored';

/** The id the county's acceptance goes by among a piece's adoptions. */
export const COUNTY_ADOPTION = 'county';

/** An event as the report index projects it (the fields scores need). */
export interface ScoreEvent {
  /** The item's keys (every index holds them). */
  pk?: string;
  sk?: string;
  type: string;
  pieceId: string;
  receipt: string;
  unitId: string;
  informantId: string;
  kind: 'info' | 'research';
  at: string;
  points?: number;
  level?: Level;
  adoptionId?: string;
  /** `2026-10-15`: the day it was printed (adopted); for an acceptance, the day it was accepted. */
  adoptedOn?: string;
  instruction?: Instruction;
  /** The piece answered a 点题 topic (on revisions and on the acceptance). */
  topicId?: string;
  /** Its report-index keys: the month it counts in. */
  gsi1pk?: string;
  gsi1sk?: string;
}

export interface Contribution {
  pieceId: string;
  receipt: string;
  unitId: string;
  informantId: string;
  kind: 'info' | 'research';
  adoptionId: string;
  level: Level;
  adoptedOn: string;
  instruction: Instruction;
  /** Its points now: as earned, plus every re-scoring since. */
  points: number;
  /** Withdrawn (撤销): it counts no more. */
  withdrawn: boolean;
  /** The piece answered a 点题 topic. */
  topic: boolean;
  /** Re-scorings applied so far (the next one is numbered after them). */
  rescores: number;
  /** The month keys of the adoption: where its corrections are filed. */
  monthKey?: { gsi1pk: string; gsi1sk: string };
  /** The item that holds the piece's title: the revision accepted, or the adoption record. */
  titleKey?: { pk: string; sk: string };
}

export const isScoreEvent = (e: { type: string }): boolean =>
  e.type === 'accepted' || e.type === 'adopted' || e.type === 'withdrawn' || e.type === 'rescored';

/**
 * An acceptance decided before scores existed carries no points: it is worth what the default rules (version 1)
 * give a county adoption, fixed, so a later rules version changes it only by an explicit re-scoring.
 */
export function acceptancePoints(e: Pick<ScoreEvent, 'points' | 'kind'>): number {
  return e.points ?? pointsFor(DEFAULT_VERSION.rules, { level: 'county', kind: e.kind });
}

/** The adoptions the events name, each with its points now; the withdrawn ones are kept, marked. */
export function contributions(events: readonly ScoreEvent[]): Contribution[] {
  const found = new Map<string, Contribution>();
  const corrections: ScoreEvent[] = [];
  for (const e of events) {
    if (e.type === 'accepted' || e.type === 'adopted') {
      const adoptionId = e.type === 'accepted' ? COUNTY_ADOPTION : String(e.adoptionId);
      found.set(`${e.pieceId}#${adoptionId}`, {
        pieceId: e.pieceId,
        receipt: e.receipt,
        unitId: e.unitId,
        informantId: e.informantId,
        kind: e.kind,
        adoptionId,
        level: e.type === 'accepted' ? 'county' : (e.level ?? 'prefecture'),
        adoptedOn: e.adoptedOn ?? dayOf(e.at),
        instruction: e.instruction ?? 'none',
        points: e.type === 'accepted' ? acceptancePoints(e) : (e.points ?? 0),
        withdrawn: false,
        topic: e.topicId !== undefined,
        rescores: 0,
        ...(e.gsi1pk && e.gsi1sk ? { monthKey: { gsi1pk: e.gsi1pk, gsi1sk: e.gsi1sk } } : {}),
        ...(e.pk && e.sk
          ? { titleKey: { pk: e.pk, sk: e.type === 'accepted' ? keys.eventSk(keys.seqOf(e.sk) - 1) : e.sk } }
          : {}),
      });
    } else if (e.type === 'withdrawn' || e.type === 'rescored') {
      corrections.push(e);
    }
  }
  for (const e of corrections.sort((a, b) => a.at.localeCompare(b.at))) {
    const c = found.get(`${e.pieceId}#${e.adoptionId}`);
    if (!c) continue;
    if (e.type === 'withdrawn') c.withdrawn = true;
    else if (!c.withdrawn) {
      c.points = Math.round((c.points + (e.points ?? 0)) * 100) / 100;
      c.rescores += 1;
    }
  }
  return [...found.values()];
}

/** The adoptions that still count. */
export const standing = (events: readonly ScoreEvent[]): Contribution[] =>
  contributions(events).filter((c) => !c.withdrawn);
