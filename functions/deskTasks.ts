// /desk/{token}/tasks — 重点调研: GET a quarter's tasks and their matrix (units × tasks) with the form, GET
// …/tasks/download the matrix as .xlsx or CSV, POST a new task (its informants' emails sent at once), POST
// …/tasks/{taskId}/close. Opening a page changes nothing.
import { addTaskView, closeTaskView, tasksDownload, tasksView } from '../shared/desk/taskViews';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler((request) => {
  const token = request.path.token ?? '';
  if (request.method === 'POST') {
    return request.path.taskId ? closeTaskView(token, request.path.taskId) : addTaskView(token, request.fields);
  }
  return request.routeKey.endsWith('/download') ? tasksDownload(token, request.query) : tasksView(token, request.query);
});
