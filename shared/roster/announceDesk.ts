// The desk links of the editors and leaders who were in the roster before the desk existed: each gets the desk
// welcome once (the sweeper does this on its first run after the desk lands; later editors and leaders get it from
// the import that adds them). The welcome's deterministic key makes it once per person however often this runs; a
// marker item makes it one read per process once done.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../core/clock';
import { db, putIfAbsent, tableName } from '../store/db';
import { keys } from '../store/keys';
import { isActive, listRoster } from './people';
import { deskWelcomeKey, recordLinkEmail } from './rosterEvents';

const markerKey = (county: string) => ({ pk: keys.rosterEvents(county), sk: 'DESKLINKS#1' });

/** Counties of this process known to be done (the marker read). */
const done = new Set<string>();

/** Forgets what this process knows (tests that start a county over, as a fresh Lambda container would). */
export function forgetAnnounced(): void {
  done.clear();
}

export async function announceDesk(county: string): Promise<number> {
  if (done.has(county)) return 0;
  const marker = await db().send(new GetCommand({ TableName: tableName(), Key: markerKey(county) }));
  if (marker.Item) {
    done.add(county);
    return 0;
  }
  let written = 0;
  for (const person of (await listRoster(county)).people) {
    if ((person.role === 'editor' || person.role === 'leader') && isActive(person)) {
      // Queued for the sweeper (this run or the next), like a link someone asked for.
      if (await recordLinkEmail(person, deskWelcomeKey(person.personId), 'deskWelcome', {})) written++;
    }
  }
  // Every editor and leader of the whole roster has their welcome written (here, or by the import that added them).
  await putIfAbsent({ ...markerKey(county), at: now().toISOString() });
  done.add(county);
  return written;
}
