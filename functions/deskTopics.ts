// /desk/topics — 点题: GET the topics and the form, GET …/{topicId} one topic's responses by unit, POST a new
// topic (its emails sent at once), POST …/{topicId}/close. Opening a page changes nothing.

import { withDeskSession } from '../shared/desk/session';
import { addTopicView, closeTopicView, topicsView, topicView } from '../shared/desk/topicViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) => {
    const topicId = request.path.topicId;
    if (request.method === 'POST') {
      return topicId ? closeTopicView(access, topicId) : addTopicView(access, request.fields);
    }
    return topicId ? topicView(access, topicId) : topicsView(access);
  }),
);
