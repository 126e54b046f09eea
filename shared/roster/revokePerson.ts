// Use case: revoke a person's links, the fresh link sent at once (the CLI, `npm run admin -- roster revoke`). The
// desk's button revokes with revokeLinks and leaves the email to the sweeper.
import { deliverNow } from './deliverNow';
import { type Revoked, revokeLinks } from './revokeLinks';
import { OPERATOR } from './rosterEvents';

export function revokePerson(email: string): Promise<Revoked> {
  return revokeLinks(email, deliverNow, undefined, OPERATOR);
}
