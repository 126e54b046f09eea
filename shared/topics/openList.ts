// An open list (`OPEN`: the open topics, the open research tasks): one small item a submission reads in the BatchGet
// it makes anyway. Changed by one conditional put on the count the writer read, tried again from a fresh read when
// another editor's change came between, so two calls issued at once are both listed.
import { ConflictError } from '../core/errors';
import { getItems, type ItemKey, keyId, putIf } from '../store/db';
import { type OpenTopic, openTopicsKey, openTopicsOf } from './topics';

const TRIES = 5;

/**
 * `change` returns the new list, or undefined when there is nothing to change. `current`: the list as an item holds
 * it (what is past its due day left out, so the list stays as small as what is open), kept under `attribute`.
 */
export async function editList<T>(
  key: ItemKey,
  attribute: string,
  current: (item: Record<string, unknown> | undefined) => T[],
  change: (open: T[]) => T[] | undefined,
): Promise<void> {
  for (let i = 0; i < TRIES; i++) {
    const item = (await getItems([key], { consistent: true })).get(keyId(key));
    const count = typeof item?.count === 'number' ? item.count : 0;
    const next = change(current(item));
    if (!next) return;
    const written = await putIf(
      { ...key, [attribute]: next, count: count + 1 },
      item
        ? { expression: '#n = :n', names: { '#n': 'count' }, values: { ':n': count } }
        : { expression: 'attribute_not_exists(pk)' },
    );
    if (written) return;
  }
  throw new ConflictError('列表正被频繁修改，请稍后再试。');
}

/** The open topics' list. */
export const editOpenList = (county: string, change: (open: OpenTopic[]) => OpenTopic[] | undefined) =>
  editList(openTopicsKey(county), 'topics', openTopicsOf, change);
