// The open topics' list (`OPEN`): changed by one conditional put on the count the writer read, tried again from a
// fresh read when another editor's change came between, so two topics issued at once are both listed.
import { ConflictError } from '../core/errors';
import { getItems, keyId, putIf } from '../store/db';
import { type OpenTopic, openTopicsKey, openTopicsOf } from './topics';

const TRIES = 5;

/** `change` returns the new list, or undefined when there is nothing to change. */
export async function editOpenList(
  county: string,
  change: (open: OpenTopic[]) => OpenTopic[] | undefined,
): Promise<void> {
  const key = openTopicsKey(county);
  for (let i = 0; i < TRIES; i++) {
    const item = (await getItems([key], { consistent: true })).get(keyId(key));
    const count = typeof item?.count === 'number' ? item.count : 0;
    // Topics past their due day leave the list with the next change: it stays as small as what is open.
    const next = change(openTopicsOf(item));
    if (!next) return;
    const written = await putIf(
      { ...key, topics: next, count: count + 1 },
      item
        ? { expression: '#n = :n', names: { '#n': 'count' }, values: { ':n': count } }
        : { expression: 'attribute_not_exists(pk)' },
    );
    if (written) return;
  }
  throw new ConflictError('点题列表正被频繁修改，请稍后再试。');
}
