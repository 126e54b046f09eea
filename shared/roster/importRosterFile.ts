// Use case: import the roster from a file (.xlsx, or CSV in UTF-8 or GBK), with the welcome emails sent by `deliver`
// at once (the CLI, `importRoster`) or left to the sweeper (the desk's upload: no SES client in its bundle).
// 1. Parse and check every row; if any row is invalid, report them all with line numbers and write nothing.
// 2. Upsert units and people (a person is known by email: re-import updates instead of duplicating).
// 3. Every informant gets one welcome email with their personal link, the first time they appear as informant; every
//    editor and leader one with their desk link (信息科工作台), the first time they appear as either.
// 4. The roster summary (editors and unit names, read by almost every request) is rewritten from the roster.
import { now } from '../core/clock';
import { config } from '../core/config';
import { personIdOf, unitIdOf } from '../store/keys';
import { parseRosterFile, type RosterError } from './csv';
import { addPerson, getPerson, type Person, putUnit, refreshSummary, updatePerson } from './people';
import { type Deliver, deskWelcomeKey, recordLinkEmail } from './rosterEvents';

export interface ImportSummary {
  units: number;
  added: number;
  updated: number;
  unchanged: number;
  /** Informants sent their welcome (personal link). */
  welcomed: number;
  /** Editors and leaders sent their desk link. */
  deskLinks: number;
}

export type ImportResult = { ok: true; summary: ImportSummary } | { ok: false; errors: RosterError[] };

/** What an import changed, in the words of the 操作记录's 详情 column. */
export const importDetail = (s: ImportSummary): string =>
  `单位 ${s.units} 个；新增 ${s.added} 人，更新 ${s.updated} 人，未变 ${s.unchanged} 人`;

export async function importRosterFile(file: Buffer | string, deliver?: Deliver): Promise<ImportResult> {
  const parsed = await parseRosterFile(file);
  if (!parsed.ok) return parsed;
  const county = config().countyId;
  const at = now().toISOString();
  const summary: ImportSummary = { units: 0, added: 0, updated: 0, unchanged: 0, welcomed: 0, deskLinks: 0 };

  const units = new Map<string, { unitId: string; name: string; kind: 'department' | 'township' }>();
  for (const row of parsed.rows) {
    if (row.unitName && !units.has(row.unitName)) {
      units.set(row.unitName, {
        unitId: unitIdOf(county, row.unitName),
        name: row.unitName,
        kind: row.unitKind ?? 'department',
      });
    }
  }
  for (const unit of units.values()) await putUnit(county, unit);
  summary.units = units.size;

  for (const row of parsed.rows) {
    const unit = row.unitName ? units.get(row.unitName) : undefined;
    const wanted: Person = {
      personId: personIdOf(county, row.email),
      name: row.name,
      email: row.email,
      role: row.role,
      keyVersion: 1,
      updatedAt: at,
      ...(row.phone ? { phone: row.phone } : {}),
      ...(unit ? { unitId: unit.unitId } : {}),
    };
    const existing = await getPerson(county, wanted.personId);
    let person = wanted;
    if (!existing) {
      if (await addPerson(county, wanted)) summary.added += 1;
    } else if (
      existing.name !== wanted.name ||
      existing.role !== wanted.role ||
      existing.unitId !== wanted.unitId ||
      existing.phone !== wanted.phone
    ) {
      await updatePerson(county, wanted);
      person = { ...wanted, keyVersion: existing.keyVersion };
      summary.updated += 1;
    } else {
      person = existing;
      summary.unchanged += 1;
    }
    // Someone 停用 stays so (a roster file does not bring back who has left), and gets no welcome.
    if (existing?.inactive) continue;
    if (person.role === 'informant') {
      const sent = await recordLinkEmail(person, `WELCOME#${person.personId}`, 'welcome', {
        unitName: unit?.name,
        deliver,
      });
      if (sent) summary.welcomed += 1;
    } else if (await recordLinkEmail(person, deskWelcomeKey(person.personId), 'deskWelcome', { deliver })) {
      summary.deskLinks += 1;
    }
  }
  // Who reviews or a unit's name may have changed: the one item almost every request reads.
  await refreshSummary(county);
  return { ok: true, summary };
}
