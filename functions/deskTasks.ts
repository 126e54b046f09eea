// /desk/tasks — 重点调研: GET a quarter's tasks and their matrix (units × tasks) with the form, GET
// …/tasks/download the matrix as .xlsx or CSV, POST a new task (its informants' emails sent at once), POST
// …/tasks/{taskId}/close. Opening a page changes nothing.

import { withDeskSession } from '../shared/desk/session';
import { addTaskView, closeTaskView, tasksDownload, tasksView } from '../shared/desk/taskViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(
  withDeskSession((access, request) => {
    if (request.method === 'POST') {
      return request.path.taskId ? closeTaskView(access, request.path.taskId) : addTaskView(access, request.fields);
    }
    return request.routeKey.endsWith('/download')
      ? tasksDownload(access, request.query)
      : tasksView(access, request.query);
  }),
);
