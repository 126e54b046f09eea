// The next piece waiting for a decision, for an editor: the oldest revision in the reminder index other than the one
// their link is for, with a review link of the editor's own. Looked up only when the editor asks for it (the
// 审核下一篇 link of a result page, `GET /review/{token}/next`), so a decision itself reads nothing more. Only a
// current link leads on, and the link it leads to expires no later than the link it came from: otherwise an old or
// forwarded review email would mint fresh links, one from another, for as long as pieces wait.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { config } from '../core/config';
import { reviewClaims, reviewExpiry, reviewUrl } from '../links/links';
import type { PieceEvent } from '../pieces/events';
import { readWithRoster } from '../roster/people';
import { db, getItems, keyId, tableName } from '../store/db';
import { keys } from '../store/keys';
import { AWAITING_INDEX } from '../store/tableDefinition';
import { currentLinkEditor } from './decidePiece';

/** Pieces looked at: the one the link is for may be among them, and one found decided but still marked. */
const LOOK_AT = 6;

/**
 * Where the editor of this review link goes next: the review page of the oldest other piece waiting (a path), or
 * undefined when nothing else waits. The link must be genuine, its editor's current one and unexpired (in that
 * order, as the review page checks it: an expired link answers 410 and leads nowhere).
 */
export async function nextWaiting(token: unknown): Promise<string | undefined> {
  const claims = await reviewClaims(token, { allowExpired: true });
  const county = config().countyId;
  const [roster, waiting] = await Promise.all([
    readWithRoster(county, [claims.editorId]),
    db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: AWAITING_INDEX.name,
        KeyConditionExpression: '#a = :a',
        ExpressionAttributeNames: { '#a': AWAITING_INDEX.partition },
        ExpressionAttributeValues: { ':a': keys.awaiting(county) },
        Limit: LOOK_AT,
      }),
    ),
  ]);
  const editor = currentLinkEditor(roster.people.get(claims.editorId), claims);
  const others = (waiting.Items ?? [])
    .map((k) => ({ pk: String(k.pk), sk: String(k.sk) }))
    .filter((k) => k.pk !== keys.piece(county, claims.pieceId));
  if (others.length === 0) return undefined;
  const items = await getItems(others);
  const next = others.map((k) => items.get(keyId(k)) as PieceEvent | undefined).find((item) => item !== undefined);
  if (!next) return undefined;
  const url = await reviewUrl({
    pieceId: next.pieceId,
    revision: next.revision,
    editorId: editor.personId,
    informantId: next.informantId,
    keyVersion: editor.keyVersion,
    exp: Math.min(claims.exp, reviewExpiry(now())),
  });
  return new URL(url).pathname;
}
