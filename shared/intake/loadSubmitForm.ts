// Use case: what the submission form needs to show for a personal key — the informant, their unit, open topics.
import type { Person } from '../roster/people';
import { informantByKey } from '../roster/personalLinks';

export interface SubmitFormData {
  k: string;
  informant: Person;
  unitName: string;
  topics: { id: string; title: string }[];
}

/** One read: the informant and the roster summary (the unit's name) together. */
export async function loadSubmitForm(k: unknown): Promise<SubmitFormData> {
  const { informant, roster } = await informantByKey(k);
  const unitName = (informant.unitId && roster.summary.units[informant.unitId]) || '未关联单位';
  // Topics (点题) arrive with their own feature; until then there are none to offer.
  return { k: String(k), informant, unitName, topics: [] };
}
