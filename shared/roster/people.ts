// Roster storage: units and people (informants, editors, leaders) of one county, in one small partition.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MailMark, StopMark } from '../mail/deliveryEvents';
import type { Recipient } from '../mail/templates';
import {
  db,
  getItems,
  type ItemKey,
  type Items,
  isConditionFailed,
  keyId,
  putIfAbsent,
  queryAll,
  tableName,
} from '../store/db';
import { keys } from '../store/keys';

export type UnitKind = 'department' | 'township';
export type Role = 'informant' | 'editor' | 'leader';

export interface Unit {
  unitId: string;
  name: string;
  kind: UnitKind;
}

export interface Person {
  personId: string;
  name: string;
  email: string;
  phone?: string;
  role: Role;
  unitId?: string;
  /** Bumped by a revoke: links signed with an older version stop working. */
  keyVersion: number;
  updatedAt: string;
  /**
   * 停用: someone who has left. Their links stop and they get no email; their pieces and points stay in the record.
   * Absent for everyone active (so people written before it existed are active); 启用 removes it.
   */
  inactive?: boolean;
  /** ISO time of their last 停用: a desk session begun before it has ended (shared/desk/session.ts). */
  sessionsFrom?: string;
  /**
   * 退信 or 投诉 as SES reported it (roster/recordMailEvents.ts): mail to `mailStop.address` stops while that is the
   * person's address. A person's id derives from the address, so a corrected address is another person, not stopped.
   */
  mailStop?: MailMark;
  /** The last transient bounce (a full mailbox): shown on the 名单, mail goes on. */
  mailNote?: MailMark;
}

/** Whether a person may use their links and receive email: in the roster and not 停用. */
export const isActive = (person: Person | undefined): person is Person => person !== undefined && !person.inactive;

/** A person; `consistent` where the answer decides whether a link still works (a revoke must stop it at once). */
export async function getPerson(
  county: string,
  personId: string,
  options: { consistent?: boolean } = {},
): Promise<Person | undefined> {
  const out = await db().send(
    new GetCommand({
      TableName: tableName(),
      Key: personKey(county, personId),
      ...(options.consistent ? { ConsistentRead: true } : {}),
    }),
  );
  return out.Item as Person | undefined;
}

export async function getUnit(county: string, unitId: string): Promise<Unit | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: { pk: keys.roster(county), sk: keys.unitSk(unitId) } }),
  );
  return out.Item as Unit | undefined;
}

export interface Roster {
  units: Unit[];
  people: Person[];
}

/** The whole roster: one Query of one partition (a county has at most a few hundred people). */
export async function listRoster(county: string): Promise<Roster> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.roster(county) },
  });
  return {
    units: items.filter((item) => String(item.sk).startsWith('U#')).map((item) => strip<Unit>(item)),
    people: items.filter((item) => String(item.sk).startsWith('P#')).map((item) => strip<Person>(item)),
  };
}

/**
 * Every unit's name, and the units expected to send pieces: those with an informant (active or 停用: the unit still
 * reports). The 信息科 itself and units of leaders only are not, so the figures do not list them as having sent nothing.
 */
export function reportingUnits(roster: Roster): { names: Record<string, string>; reporting: string[] } {
  const withInformants = new Set(roster.people.filter((p) => p.role === 'informant').map((p) => p.unitId));
  return {
    names: Object.fromEntries(roster.units.map((u) => [u.unitId, u.name])),
    reporting: roster.units.filter((u) => withInformants.has(u.unitId)).map((u) => u.unitId),
  };
}

/** Who reviews: what a review request needs of each editor (the key version signs their links). */
export type Editor = Pick<Person, 'personId' | 'name' | 'email' | 'keyVersion' | 'mailStop'>;

/**
 * What almost every request needs of the roster besides the person at hand: the editors, and the units' names. One
 * small item (a few KB at 60 units), rewritten by the roster import and by a revoke (the only changes), so a request
 * reads it with the person in one BatchGet instead of Querying the whole roster partition (~7 read units at 300
 * people). A per-container cache would save the read too, but a revoked editor's key version must stop at once.
 */
export interface RosterSummary {
  editors: Editor[];
  /** unitId → name. */
  units: Record<string, string>;
}

export const personKey = (county: string, personId: string): ItemKey => ({
  pk: keys.roster(county),
  sk: keys.personSk(personId),
});

export const summaryKey = (county: string): ItemKey => ({ pk: keys.roster(county), sk: 'SUMMARY' });

/** The summary from its item as read; a roster without one (imported before it existed) is read the long way. */
export async function summaryOf(county: string, item: Record<string, unknown> | undefined): Promise<RosterSummary> {
  if (item) return { editors: item.editors as Editor[], units: (item.units ?? {}) as Record<string, string> };
  return summarize(await listRoster(county));
}

export async function rosterSummary(county: string): Promise<RosterSummary> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: summaryKey(county), ConsistentRead: true }),
  );
  return summaryOf(county, out.Item);
}

function summarize(roster: Roster): RosterSummary {
  return {
    editors: roster.people
      .filter((p) => p.role === 'editor' && isActive(p))
      .map(({ personId, name, email, keyVersion, mailStop }) => ({
        personId,
        name,
        email,
        keyVersion,
        ...(mailStop ? { mailStop } : {}),
      })),
    units: Object.fromEntries(roster.units.map((u) => [u.unitId, u.name])),
  };
}

/** Rewrites the summary from the roster itself: after every import and every revoke (the places the roster changes). */
export async function refreshSummary(county: string): Promise<RosterSummary> {
  const summary = summarize(await listRoster(county));
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...summaryKey(county), ...summary } }));
  return summary;
}

export interface RosterRead {
  /** The people asked for who are in the roster, by id. */
  people: Map<string, Person>;
  summary: RosterSummary;
  /** The other items asked for (by `keyId`). */
  items: Items;
}

/**
 * People, the summary and any other items the caller needs, in one consistent BatchGet: these reads decide whether a
 * link still works (a revoke must stop it at once), and a request needs them all before it can do anything.
 */
export async function readWithRoster(county: string, personIds: string[], other: ItemKey[] = []): Promise<RosterRead> {
  const items = await getItems([summaryKey(county), ...personIds.map((id) => personKey(county, id)), ...other], {
    consistent: true,
  });
  const people = new Map<string, Person>();
  for (const id of personIds) {
    const item = items.get(keyId(personKey(county, id)));
    if (item) people.set(id, strip<Person>(item));
  }
  return { people, summary: await summaryOf(county, items.get(keyId(summaryKey(county)))), items };
}

/** What the outbox learns of a person: the roster's word, and a stop on their address (the email is given up). */
const recipientOf = (p: Pick<Person, 'name' | 'role' | 'keyVersion' | 'mailStop'>): Recipient & StopMark => ({
  name: p.name,
  role: p.role,
  keyVersion: p.keyVersion,
  ...(p.mailStop ? { mailStop: p.mailStop } : {}),
});

/**
 * Who the outbox may send to, as it renders each email: the people a request holds answer from memory, anyone else
 * is read from the roster in one batch (the sweeper's case). Someone no longer in the roster is absent: the email is
 * dropped. A stop on an address comes with the person, so knowing it costs no read.
 */
export function rosterRecipients(county: string, known: { people?: Person[]; editors?: Editor[] } = {}) {
  return async (personIds: string[]): Promise<Map<string, Recipient & StopMark>> => {
    const found = new Map<string, Recipient & StopMark>();
    for (const e of known.editors ?? []) found.set(e.personId, recipientOf({ ...e, role: 'editor' }));
    for (const p of (known.people ?? []).filter(isActive)) found.set(p.personId, recipientOf(p));
    const missing = personIds.filter((id) => !found.has(id));
    if (missing.length > 0) {
      const items = await getItems(
        missing.map((id) => personKey(county, id)),
        { consistent: true },
      );
      for (const item of items.values()) {
        const p = item as unknown as Person;
        // 停用: someone who has left gets no more email (it is dropped, as for someone no longer in the roster).
        if (isActive(p)) found.set(p.personId, recipientOf(p));
      }
    }
    return found;
  };
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

export async function putUnit(county: string, unit: Unit): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { pk: keys.roster(county), sk: keys.unitSk(unit.unitId), ...unit },
    }),
  );
}

/** Adds a person; false when the person already exists (the caller updates instead). */
export async function addPerson(county: string, person: Person): Promise<boolean> {
  return putIfAbsent({ pk: keys.roster(county), sk: keys.personSk(person.personId), ...person });
}

/** Updates what a roster file may change; the key version is left alone (only a revoke changes it). */
export async function updatePerson(
  county: string,
  person: Pick<Person, 'personId' | 'name' | 'phone' | 'role' | 'unitId' | 'updatedAt'>,
): Promise<void> {
  const set = ['#name = :name', '#role = :role', 'updatedAt = :at'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':name': person.name, ':role': person.role, ':at': person.updatedAt };
  for (const field of ['unitId', 'phone'] as const) {
    const value = person[field];
    if (value) {
      set.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    } else {
      remove.push(field);
    }
  }
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: { pk: keys.roster(county), sk: keys.personSk(person.personId) },
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ExpressionAttributeNames: { '#name': 'name', '#role': 'role' },
      ExpressionAttributeValues: values,
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/**
 * Invalidates every link the person holds; returns the new key version. A conditional step from the version read,
 * not an ADD, so the SDK's retry of a write whose answer was lost cannot step twice; a revoke that lost the race
 * to another one ends at that one's version (the old links stop either way).
 */
export async function bumpKeyVersion(county: string, person: Person, at: string): Promise<number> {
  const key = { pk: keys.roster(county), sk: keys.personSk(person.personId) };
  const next = person.keyVersion + 1;
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET keyVersion = :next, updatedAt = :at',
        ConditionExpression: 'keyVersion = :current',
        ExpressionAttributeValues: { ':next': next, ':current': person.keyVersion, ':at': at },
      }),
    );
    return next;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const now = await getPerson(county, person.personId, { consistent: true });
    if (!now || now.keyVersion === person.keyVersion) throw err;
    return now.keyVersion;
  }
}

/** 停用 (`active: false`) or 启用 a person; idempotent (SET or REMOVE of one flag). */
export async function setPersonActive(county: string, personId: string, active: boolean, at: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: personKey(county, personId),
      // 停用 also ends their desk sessions: one begun before `sessionsFrom` no longer counts, even after 启用.
      UpdateExpression: active
        ? 'REMOVE inactive SET updatedAt = :at'
        : 'SET inactive = :yes, sessionsFrom = :at, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: active ? { ':at': at } : { ':yes': true, ':at': at },
    }),
  );
}
