// Use case: record one adoption (采用) of an accepted piece — from the editor's email link, the desk's 登记采用 form,
// a line of an imported table of contents, or the command line; the same rules for all.
// 1. Check the fields (level, outlet, issue, date not in the future, 批示).
// 2. Read the piece's events, its adoptions and the rules' versions, at once.
// 3. Refuse a piece never accepted into 《组工专报》 and a date before the piece was sent.
// 4. The same (level, outlet, issue) again is the record already there: answered with it, nothing new. One withdrawn
//    is refused (it was withdrawn for a reason).
// 5. Score it with the rules version in force on its date, and write it with one conditional put of its derived key:
//    two editors recording it at once make one record. The informant's email rides on it (outbox).
import { dayOf, monthOf, now } from '../core/clock';
import { config } from '../core/config';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { log } from '../core/log';
import { isPieceId } from '../intake/receiptNumbers';
import { type NotificationDraft, outboxAttributes } from '../mail/outbox';
import { latestRevision, type PieceEvent, pieceEvents } from '../pieces/events';
import { getPerson, isActive } from '../roster/people';
import type { Deliver } from '../roster/rosterEvents';
import { pointsFor, type RuleVersion, versionOn } from '../scoring/rules';
import { readRuleVersions } from '../scoring/ruleVersions';
import { putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import { type AdoptionInput, adoptionIdOf, checkAdoption } from './adoptionInput';
import {
  type AdoptionItem,
  type AdoptionRecord,
  type AdoptionSource,
  pieceAdoptionItems,
  type Recorder,
} from './adoptions';

/** A piece never accepted into 《组工专报》: its adoption upstream cannot be recorded. */
export class NotAcceptedError extends ConflictError {
  constructor(receipt: string) {
    super(`稿件 ${receipt} 还没有被《组工专报》采用，不能登记上级采用：请先在审核中采用，再登记。`);
  }
}

/** The same adoption was recorded and then withdrawn: recording it again is refused. */
export class WithdrawnAdoptionError extends ConflictError {
  constructor(withdrawnAt: string) {
    super(`这条采用记录已于 ${withdrawnAt.slice(0, 10)} 撤销，不能重复登记。如撤销有误，请改填正确的刊物或期号登记。`);
  }
}

/** What recording needs of the piece, read at once: its events, its adoption items, the rules' versions. */
export interface AdoptionTarget {
  events: PieceEvent[];
  items: AdoptionItem[];
  ruleVersions: RuleVersion[];
}

export async function readTarget(pieceId: string): Promise<AdoptionTarget> {
  const county = config().countyId;
  if (!isPieceId(pieceId)) throw new NotFoundError(`没有回执号为 ${pieceId} 的稿件。`);
  const [events, items, ruleVersions] = await Promise.all([
    pieceEvents(county, pieceId),
    pieceAdoptionItems(county, pieceId),
    readRuleVersions(county),
  ]);
  if (events.length === 0) throw new NotFoundError(`没有回执号为 ${pieceId} 的稿件。`);
  return { events, items, ruleVersions };
}

export interface Recorded {
  record: AdoptionRecord;
  /** False: the same adoption was recorded before (or by someone else at the same moment); nothing new. */
  added: boolean;
}

/** The checks of a piece that recording needs (also what the import checks of every line before writing any). */
export function checkTarget(target: AdoptionTarget, input: AdoptionInput): void {
  const first = target.events[0]!;
  if (!target.events.some((e) => e.type === 'accepted')) throw new NotAcceptedError(first.receipt);
  const sent = dayOf(first.at);
  if (input.adoptedOn < sent) {
    throw new ValidationError([
      { field: 'date', message: `采用日期 ${input.adoptedOn} 早于稿件报送日期 ${sent}：请核对采用日期。` },
    ]);
  }
}

/** The record already there for this adoption (answered as a duplicate), or the refusal of a withdrawn one. */
function existing(target: AdoptionTarget, adoptionId: string): AdoptionRecord | undefined {
  const record = target.items.find((i): i is AdoptionRecord => i.type === 'adopted' && i.adoptionId === adoptionId);
  const withdrawal = target.items.find((i) => i.type === 'withdrawn' && i.adoptionId === adoptionId);
  if (record && withdrawal) throw new WithdrawnAdoptionError(withdrawal.at);
  return record;
}

export async function recordAdoption(
  pieceId: string,
  fields: Record<string, unknown>,
  by: Recorder,
  /** `deliver`: the informant's email now (else the sweeper sends it within a minute); `target`: as read already. */
  options: { source: AdoptionSource; deliver?: Deliver | undefined; target?: AdoptionTarget },
): Promise<Recorded> {
  const input = checkAdoption(fields);
  const target = options.target ?? (await readTarget(pieceId));
  checkTarget(target, input);
  const adoptionId = adoptionIdOf(input);
  const before = existing(target, adoptionId);
  if (before) return { record: before, added: false };

  const county = config().countyId;
  const revision = latestRevision(target.events);
  const version = versionOn(target.ruleVersions, input.adoptedOn);
  const at = now();
  const iso = at.toISOString();
  const record: AdoptionRecord = {
    pk: keys.piece(county, revision.pieceId),
    sk: keys.adoptionSk(adoptionId),
    type: 'adopted',
    adoptionId,
    county,
    pieceId: revision.pieceId,
    receipt: revision.receipt,
    unitId: revision.unitId,
    informantId: revision.informantId,
    kind: revision.kind,
    title: revision.title ?? '',
    ...(revision.unitName ? { unitName: revision.unitName } : {}),
    ...(revision.informantName ? { informantName: revision.informantName } : {}),
    ...(revision.topicId ? { topicId: revision.topicId } : {}),
    ...input,
    points: pointsFor(version.rules, { level: input.level, kind: revision.kind, instruction: input.instruction }),
    rulesVersion: version.version,
    at: iso,
    recordedBy: by,
    source: options.source,
    gsi1pk: keys.month(county, monthOf(at)),
    gsi1sk: `${iso}#${revision.receipt}#A${adoptionId}`,
  };
  const informant = await getPerson(county, revision.informantId);
  const notifications: NotificationDraft[] = isActive(informant)
    ? [
        {
          to: informant.email,
          template: 'adopted',
          personId: informant.personId,
          data: { name: informant.name, personId: informant.personId },
        },
      ]
    : [];
  const item = {
    ...record,
    ...(notifications.length
      ? outboxAttributes(county, notifications, iso, { held: options.deliver !== undefined })
      : {}),
  };
  if (!(await putIfAbsent(item))) {
    // Someone recorded the same adoption a moment before: theirs is the record.
    const again = await pieceAdoptionItems(county, revision.pieceId);
    const theirs = existing({ ...target, items: again }, adoptionId);
    if (theirs) return { record: theirs, added: false };
    throw new ConflictError('这条采用记录刚刚被修改，请刷新后再试。');
  }
  log.info('adoption recorded', { receipt: record.receipt, level: record.level, source: options.source });
  if (options.deliver && informant && notifications.length) await options.deliver(item, informant);
  return { record, added: true };
}
