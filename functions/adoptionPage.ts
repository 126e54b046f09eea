// GET (and HEAD) /adoption/{token} — the editor's adoption link from the email confirming an acceptance: the piece,
// its adoptions upstream and the form to record one. Opening it records nothing (mail scanners open every link).
import { adoptionLinkView } from '../shared/adoption/adoptionLink';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) => adoptionLinkView(request.path.token ?? ''));
