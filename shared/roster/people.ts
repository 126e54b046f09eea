// Roster storage: units and people (informants, editors, leaders) of one county, in one small partition.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailed, putIfAbsent, queryAll, tableName } from '../store/db';
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
}

/** A person; `consistent` where the answer decides whether a link still works (a revoke must stop it at once). */
export async function getPerson(
  county: string,
  personId: string,
  options: { consistent?: boolean } = {},
): Promise<Person | undefined> {
  const out = await db().send(
    new GetCommand({
      TableName: tableName(),
      Key: { pk: keys.roster(county), sk: keys.personSk(personId) },
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

/** Who reviews: what a review request needs of each editor. */
export type Editor = Pick<Person, 'personId' | 'name' | 'email'>;

const EDITORS_SK = 'EDITORS';

/**
 * The county's editors, from one small item the roster import keeps (every write request needs them; a Query of the
 * whole roster partition would cost ~7 read units at 300 people, this Get half of one). A roster without the item
 * (written before it existed) is read the long way.
 */
export async function editorList(county: string): Promise<Editor[]> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: { pk: keys.roster(county), sk: EDITORS_SK } }),
  );
  if (out.Item) return out.Item.editors as Editor[];
  return editorsIn(await listRoster(county));
}

const editorsIn = (roster: Roster): Editor[] =>
  roster.people.filter((p) => p.role === 'editor').map(({ personId, name, email }) => ({ personId, name, email }));

/** Rewrites the editors item from the roster itself: after every import (the one place the roster changes). */
export async function refreshEditorList(county: string): Promise<Editor[]> {
  const editors = editorsIn(await listRoster(county));
  await db().send(
    new PutCommand({ TableName: tableName(), Item: { pk: keys.roster(county), sk: EDITORS_SK, editors } }),
  );
  return editors;
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
