// GET /bulletin/{token} — the 通报 of a month as it was sent, from the link in its email: one read of its run.
// Opening it changes nothing.
import { bulletinView } from '../shared/bulletin/viewBulletin';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) => bulletinView(request.path.token ?? ''));
