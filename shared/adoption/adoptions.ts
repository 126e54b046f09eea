// A piece's adoptions (采用) as items under the piece: `A#<id>` the adoption itself (its id from level, outlet and
// issue, so the same one recorded twice, or by two editors at once, is one item), `A#<id>#W` its withdrawal (撤销,
// an event, never a delete), `A#<id>#R#<n>` its n-th re-scoring. Each carries the month keys of the adoption it belongs to
// (the Asia/Shanghai month it was recorded), so a month's partition of the report index holds an adoption with
// every correction of it.

import { pieceItems } from '../pieces/events';
import { type Contribution, contributions, type ScoreEvent } from '../scoring/contributions';
import type { Instruction, UpperLevel } from '../scoring/rules';
import { keys } from '../store/keys';

/** Who recorded it: an editor (from the email link or the desk), or an operator on the command line. */
export interface Recorder {
  personId?: string;
  name: string;
}

export type AdoptionSource = 'email' | 'desk' | 'import' | 'cli';

export interface AdoptionRecord extends ScoreEvent {
  pk: string;
  sk: string;
  type: 'adopted';
  adoptionId: string;
  county: string;
  level: UpperLevel;
  outlet: string;
  issue: string;
  adoptedOn: string;
  instruction: Instruction;
  points: number;
  rulesVersion: number;
  title: string;
  unitName?: string;
  informantName?: string;
  topicId?: string;
  recordedBy: Recorder;
  source: AdoptionSource;
  gsi1pk: string;
  gsi1sk: string;
}

export interface WithdrawalRecord extends ScoreEvent {
  pk: string;
  sk: string;
  type: 'withdrawn';
  adoptionId: string;
  reason: string;
  by: Recorder;
  gsi1pk: string;
  gsi1sk: string;
}

export interface RescoreRecord extends ScoreEvent {
  pk: string;
  sk: string;
  type: 'rescored';
  adoptionId: string;
  /** The points before and after, and the version that gave the new ones. */
  before: number;
  after: number;
  rulesVersion: number;
  runId: string;
  by: Recorder;
  gsi1pk: string;
  gsi1sk: string;
}

export type AdoptionItem = AdoptionRecord | WithdrawalRecord | RescoreRecord;

export const withdrawalSk = (adoptionId: string) => `${keys.adoptionSk(adoptionId)}#W`;
/** The `n`th re-scoring of an adoption: two runs at once compute the same number, and one of them writes it. */
export const rescoreSk = (adoptionId: string, n: number) =>
  `${keys.adoptionSk(adoptionId)}#R#${String(n).padStart(3, '0')}`;

/** Every adoption item of one piece (one Query of its partition, consistent: a record just written is seen). */
export async function pieceAdoptionItems(county: string, pieceId: string): Promise<AdoptionItem[]> {
  return (await pieceItems(county, pieceId, keys.adoptionSk(''))) as unknown as AdoptionItem[];
}

/** A piece's adoptions upstream as they stand: each record with its points now and whether it was withdrawn. */
export interface PieceAdoption {
  record: AdoptionRecord;
  now: Contribution;
  withdrawal?: WithdrawalRecord;
}

export function pieceAdoptions(items: readonly AdoptionItem[]): PieceAdoption[] {
  const standing = new Map(contributions(items).map((c) => [c.adoptionId, c]));
  return items
    .filter((i): i is AdoptionRecord => i.type === 'adopted')
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((record) => {
      const withdrawal = items.find(
        (i): i is WithdrawalRecord => i.type === 'withdrawn' && i.adoptionId === record.adoptionId,
      );
      return { record, now: standing.get(record.adoptionId)!, ...(withdrawal ? { withdrawal } : {}) };
    });
}
