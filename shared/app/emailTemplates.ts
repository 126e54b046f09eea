// Where the features meet: every feature's email templates in one set, for the sweeper, which sends whatever any
// feature left in the outbox. Nothing in shared/ imports this folder; functions and scripts do.
import { adoptionTemplates } from '../adoption/emails';
import type { EmailTemplates } from '../mail/templates';
import { researchTemplates } from '../research/emails';
import { revisionTemplates } from '../review/emails';
import { rosterTemplates } from '../roster/emails';
import { scoreTemplates } from '../scores/emails';
import { topicTemplates } from '../topics/emails';

export const allTemplates: EmailTemplates = /* @__PURE__ */ Object.assign(
  {},
  rosterTemplates,
  revisionTemplates,
  adoptionTemplates,
  scoreTemplates,
  topicTemplates,
  researchTemplates,
);
