// Use case: what the submission form needs to show for a personal key — the informant, their unit, open topics.
import { config } from '../core/config';
import { getUnit, type Person } from '../roster/people';
import { informantByKey } from '../roster/personalLinks';

export interface SubmitFormData {
  k: string;
  informant: Person;
  unitName: string;
  topics: { id: string; title: string }[];
}

export async function loadSubmitForm(k: unknown): Promise<SubmitFormData> {
  const informant = await informantByKey(k);
  const unit = informant.unitId ? await getUnit(config().countyId, informant.unitId) : undefined;
  // Topics (点题) arrive with their own feature; until then there are none to offer.
  return { k: String(k), informant, unitName: unit?.name ?? '未关联单位', topics: [] };
}
