// Use case: store a new version of the scoring rules (`npm run admin -- rules set FILE --from DATE`, or the upload on
// the desk's 积分 page): the file checked in full (every problem named), the effective day checked, then appended as
// the next version. Adoptions already recorded keep their points; `rules rescore` re-scores them explicitly.
import { dayOf, isDay, now } from '../core/clock';
import { config } from '../core/config';
import { type FieldError, ValidationError } from '../core/errors';
import { parseRulesFile, type RuleVersion, versionOn } from '../scoring/rules';
import { addRuleVersion, readRuleVersions } from '../scoring/ruleVersions';

export async function setRules(
  file: Buffer | string,
  effectiveFrom: unknown,
  by: { name: string },
): Promise<{ version: RuleVersion; added: boolean }> {
  const errors: FieldError[] = [];
  const day = typeof effectiveFrom === 'string' ? effectiveFrom.trim() : '';
  if (!isDay(day)) errors.push({ field: 'from', message: '请填写生效日期，写成 年-月-日，例如 2027-01-01。' });
  const parsed = parseRulesFile(file);
  errors.push(...parsed.errors);
  if (errors.length > 0 || !parsed.rules) throw new ValidationError(errors);
  return addRuleVersion(config().countyId, parsed.rules, day, by.name, now().toISOString());
}

/** The rules in force today, and every version (newest first): what the desk and `rules show` show. */
export async function rulesInForce(): Promise<{ current: RuleVersion; versions: RuleVersion[] }> {
  const versions = await readRuleVersions(config().countyId);
  return { current: versionOn(versions, dayOf(now())), versions: [...versions].reverse() };
}
