// The stored versions of the scoring rules: one small item per county holding every version set so far (the repo's
// defaults are version 1 and need no item). A new version is appended by one conditional put on the count the writer
// read, so two editors setting rules at once get one new version each or a clear "try again", never a lost one. Small
// enough to ride along in the BatchGet a decision already makes (readWithRoster's `other` keys).
import { ConflictError } from '../core/errors';
import { getItems, type ItemKey, keyId, putIf } from '../store/db';
import { keys } from '../store/keys';
import { DEFAULT_VERSION, type Rules, type RuleVersion } from './rules';

export const rulesKey = (county: string): ItemKey => ({ pk: keys.rules(county), sk: 'VERSIONS' });

/** Every version, oldest first (the defaults first), from the item as read (absent: the defaults only). */
export function versionsOf(item: Record<string, unknown> | undefined): RuleVersion[] {
  const stored = Array.isArray(item?.versions) ? (item.versions as RuleVersion[]) : [];
  return [DEFAULT_VERSION, ...stored];
}

/** A consistent read (a BatchGet of one key, the read every page may make): a version just set is in force. */
export async function readRuleVersions(county: string): Promise<RuleVersion[]> {
  const key = rulesKey(county);
  return versionsOf((await getItems([key], { consistent: true })).get(keyId(key)));
}

/**
 * Appends a version: its number is the next after those read, written only if nobody appended meanwhile. The same
 * rules from the same day again (a retry, a second press) is the version already there, not a new one.
 */
export async function addRuleVersion(
  county: string,
  rules: Rules,
  effectiveFrom: string,
  setBy: string,
  at: string,
): Promise<{ version: RuleVersion; added: boolean }> {
  const versions = await readRuleVersions(county);
  const newest = versions.at(-1)!;
  if (newest.effectiveFrom === effectiveFrom && JSON.stringify(newest.rules) === JSON.stringify(rules)) {
    return { version: newest, added: false };
  }
  const version: RuleVersion = { version: newest.version + 1, effectiveFrom, rules, setAt: at, setBy };
  const stored = versions.slice(1);
  const written = await putIf(
    { ...rulesKey(county), versions: [...stored, version], count: stored.length + 1 },
    stored.length === 0
      ? { expression: 'attribute_not_exists(pk)' }
      : { expression: '#n = :n', names: { '#n': 'count' }, values: { ':n': stored.length } },
  );
  if (!written) throw new ConflictError('积分规则刚刚被其他人更新：请刷新页面，看过现行规则后再提交。');
  return { version, added: true };
}
