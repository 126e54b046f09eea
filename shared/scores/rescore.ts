// Use case: re-score explicitly (`npm run admin -- rules rescore --from DATE`): every adoption standing that is
// dated DATE or later gets the points of the rules version in force on its date now. Nothing else rewrites past
// points: a new rules version applies to adoptions recorded after it, and the ones before keep theirs until this.
// 1. Read the rules' versions and the month partitions from DATE's month up to now (an adoption is recorded on or
//    after its date, so none is missed; no Scan).
// 2. For each adoption whose points would change: one event `A#<id>#R#<n>` with the change, filed under the
//    adoption's month, written only if its number is free (two runs at once: one writes it).
// 3. An audit event under the rules: when, from which day, by whom, how many changed and by how much.
import { randomUUID } from 'node:crypto';
import { type Recorder, type RescoreRecord, rescoreSk } from '../adoption/adoptions';
import { dayOf, isDay, monthOf, monthsFrom, now } from '../core/clock';
import { config } from '../core/config';
import { ValidationError } from '../core/errors';
import { limiter } from '../core/limit';
import { log } from '../core/log';
import { pointsFor, versionOn } from '../scoring/rules';
import { readRuleVersions } from '../scoring/ruleVersions';
import { putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import { standingIn } from './rankings';

export interface RescoreResult {
  from: string;
  /** Adoptions looked at (standing, dated from `from`). */
  checked: number;
  changed: number;
  /** The change of all points together. */
  delta: number;
}

export async function rescore(from: string, by: Recorder): Promise<RescoreResult> {
  if (!isDay(from)) {
    throw new ValidationError([{ field: 'from', message: `日期“${from}”不正确：请写成 年-月-日，例如 2026-01-01。` }]);
  }
  const today = dayOf(now());
  if (from > today) throw new ValidationError([{ field: 'from', message: `日期 ${from} 还没有到。` }]);
  const county = config().countyId;
  const [versions, adoptions] = await Promise.all([
    readRuleVersions(county),
    standingIn(monthsFrom(from.slice(0, 7), monthOf(now()))),
  ]);
  const runId = randomUUID().slice(0, 8);
  const at = now().toISOString();
  const limit = limiter(8);
  let changed = 0;
  let delta = 0;
  const due = adoptions.filter((c) => c.adoptedOn >= from);
  await Promise.all(
    due.map((c) =>
      limit(async () => {
        const version = versionOn(versions, c.adoptedOn);
        const after = pointsFor(version.rules, {
          level: c.level,
          kind: c.kind,
          instruction: c.instruction,
          topic: c.topic,
        });
        const change = Math.round((after - c.points) * 100) / 100;
        if (change === 0 || !c.monthKey) return;
        const n = c.rescores + 1;
        const event: RescoreRecord = {
          pk: keys.piece(county, c.pieceId),
          sk: rescoreSk(c.adoptionId, n),
          type: 'rescored',
          adoptionId: c.adoptionId,
          pieceId: c.pieceId,
          receipt: c.receipt,
          unitId: c.unitId,
          informantId: c.informantId,
          kind: c.kind,
          level: c.level,
          adoptedOn: c.adoptedOn,
          points: change,
          before: c.points,
          after,
          rulesVersion: version.version,
          runId,
          by,
          at,
          gsi1pk: c.monthKey.gsi1pk,
          gsi1sk: `${c.monthKey.gsi1sk}#R${String(n).padStart(3, '0')}`,
        };
        // Taken already: another run re-scored it the same way a moment before.
        if (await putIfAbsent({ ...event })) {
          changed += 1;
          delta += change;
        }
      }),
    ),
  );
  delta = Math.round(delta * 100) / 100;
  await putIfAbsent({
    pk: keys.rules(county),
    sk: `RESCORE#${at}#${runId}`,
    type: 'rescore',
    from,
    by,
    at,
    checked: due.length,
    changed,
    delta,
  });
  log.info('rescored', { from, checked: due.length, changed });
  return { from, checked: due.length, changed, delta };
}
