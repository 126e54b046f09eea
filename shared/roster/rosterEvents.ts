// Roster events: a welcome, a fresh link after a revoke, a link someone asked for. Each is an item that carries
// its email through the outbox, under a deterministic key, so repeating the action never repeats the email.
// Also the audit log's own month partition (the desk's 操作记录): the items of actions that are not a piece's event
// — a revoke's fresh link today; 停用, 启用, a roster import, a desk sign-in once their writers log them — carry it.

import { randomUUID } from 'node:crypto';
import { monthOf, now } from '../core/clock';
import { config } from '../core/config';
import { outboxAttributes } from '../mail/outbox';
import { type ItemKey, putIfAbsent } from '../store/db';
import { keys } from '../store/keys';
import type { RosterTemplate } from './emails';
import type { Person } from './people';

/** The one desk-link welcome an editor or a leader gets (from an import, or once for those already there). */
export const deskWelcomeKey = (personId: string): string => `DESKWELCOME#${personId}`;

/** Sends a roster event's email at once (shared/roster/deliverNow.ts); without one, the sweeper sends it. */
export type Deliver = (item: Record<string, unknown> & ItemKey, person: Person) => Promise<void>;

/** Who did something: a person of the roster (an editor, a leader), or an operator on the command line (no id). */
export interface Actor {
  personId?: string;
  name: string;
}

/** The operator on the command line (scripts/admin.ts), as every record names them: 管理员 in the 操作记录. */
export const OPERATOR: Actor = { name: '管理员（命令行）' };

/**
 * The audit log's partition of the month index for a month: beside the report partition (`keys.month`), not in
 * it, so the reports that read a month (figures, 通报, rankings) never meet an item that is not a piece's event.
 */
export const auditMonthKey = (county: string, month: string): string => `${keys.month(county, month)}#LOG`;

/** The month-index keys that file an item (of sort key `sk`) in the audit log of the Asia/Shanghai month of `at`. */
export function auditKeys(county: string, at: Date, sk: string): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: auditMonthKey(county, monthOf(at)), gsi1sk: `${at.toISOString()}#${sk}` };
}

/**
 * The actions the audit log knows besides pieces' events and the records that carry their author (adoptions,
 * topics, tasks, rules, the 信息奖, the 通报): the desk's 操作记录 has a word for each (shared/desk/auditLog.ts).
 * `revoke`: only where no fresh link is written (someone 停用 gets none); otherwise the link's item is the record.
 */
export type LoggedAction = 'signin' | 'signout' | 'revoke' | 'deactivate' | 'activate' | 'import' | 'resume';

/**
 * Logs one action (`by` did `type`, to `personId` if anyone): an item of its own, filed in the audit log of its
 * month. A retry of the same call writes it again under another key (the log may show a double, never lose one),
 * unless the action names what makes it one (`once`).
 */
export async function logAction(entry: {
  type: LoggedAction;
  by: Actor;
  personId?: string;
  /** Plain text for the 详情 column (e.g. what an import changed). */
  detail?: string;
  /** What makes the action one (a session's digest for its 退出): a retry then finds its line written, not a second. */
  once?: string;
}): Promise<void> {
  const county = config().countyId;
  const at = now();
  const sk = entry.once
    ? `LOG#${entry.type}#${entry.once}`
    : `LOG#${at.toISOString()}#${entry.type}#${randomUUID().slice(0, 8)}`;
  await putIfAbsent({
    pk: keys.rosterEvents(county),
    sk,
    type: entry.type,
    by: entry.by,
    ...(entry.personId ? { personId: entry.personId } : {}),
    ...(entry.detail ? { detail: entry.detail } : {}),
    at: at.toISOString(),
    ...auditKeys(county, at, sk),
  });
}

/** A revoke's fresh link: the email item is the revoke's record, so it is filed in the audit log too. */
const LOGGED_TEMPLATES: ReadonlySet<RosterTemplate> = new Set<RosterTemplate>(['newLink', 'deskNewLink']);

/**
 * Writes the event `sk` for `person` with one email of `template`; false when it already exists.
 * `deliver` tries the email at once (the item is held for it); without it the sweeper sends it. `by`: who caused it
 * (a revoke's editor), kept for the audit log.
 */
export async function recordLinkEmail(
  person: Person,
  sk: string,
  template: RosterTemplate,
  extra: { unitName?: string; deliver?: Deliver | undefined; by?: Actor | undefined },
): Promise<boolean> {
  const county = config().countyId;
  const moment = now();
  const at = moment.toISOString();
  const item = {
    pk: keys.rosterEvents(county),
    sk,
    type: template,
    personId: person.personId,
    at,
    ...(extra.by ? { by: extra.by } : {}),
    ...(LOGGED_TEMPLATES.has(template) ? auditKeys(county, moment, sk) : {}),
    ...outboxAttributes(
      county,
      [
        {
          to: person.email,
          template,
          personId: person.personId,
          data: {
            name: person.name,
            personId: person.personId,
            unitName: extra.unitName ?? '',
          },
        },
      ],
      at,
      { held: extra.deliver !== undefined },
    ),
  };
  if (!(await putIfAbsent(item))) return false;
  await extra.deliver?.(item, person);
  return true;
}
