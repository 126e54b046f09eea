// The next piece waiting for a decision, for the editor who just decided one: the oldest revision in the reminder
// index other than this piece, with a fresh review link of the editor's own. Two reads, on result pages only.

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { reviewExpiry, reviewUrl } from '../links/links';
import type { PieceEvent } from '../pieces/events';
import type { Person } from '../roster/people';
import { db, getItems, keyId, tableName } from '../store/db';
import { keys } from '../store/keys';
import { AWAITING_INDEX } from '../store/tableDefinition';

export interface NextPiece {
  url: string;
  title: string;
  receipt: string;
  /** How many pieces wait besides the one just decided (at most a handful are looked at). */
  waiting: number;
}

const LOOK_AT = 6;

export async function nextWaiting(editor: Pick<Person, 'personId' | 'keyVersion'>, exceptPieceId: string) {
  const county = config().countyId;
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: AWAITING_INDEX.name,
      KeyConditionExpression: '#a = :a',
      ExpressionAttributeNames: { '#a': AWAITING_INDEX.partition },
      ExpressionAttributeValues: { ':a': keys.awaiting(county) },
      Limit: LOOK_AT,
    }),
  );
  const others = (out.Items ?? [])
    .map((k) => ({ pk: String(k.pk), sk: String(k.sk) }))
    .filter((k) => k.pk !== keys.piece(county, exceptPieceId));
  if (others.length === 0) return undefined;
  const first = (await getItems([others[0]!])).get(keyId(others[0]!)) as PieceEvent | undefined;
  if (!first) return undefined;
  const url = await reviewUrl({
    pieceId: first.pieceId,
    revision: first.revision,
    editorId: editor.personId,
    informantId: first.informantId,
    keyVersion: editor.keyVersion,
    exp: reviewExpiry(now()),
  });
  const next: NextPiece = { url, title: first.title ?? '', receipt: first.receipt, waiting: others.length };
  return next;
}
