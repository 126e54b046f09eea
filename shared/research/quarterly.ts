// Use case: the quarterly research status email (EventBridge Scheduler on the first day of each quarter, 09:00
// Asia/Shanghai): to leaders and editors, the quarter just ended — per task its units, their status, the papers
// accepted and their adoptions upstream — and the new quarter's tasks, the matrix attached as .xlsx. Exactly once
// per recipient, paced and resumable: a mail run (mail/runs.ts), as the monthly 通报. Where emails carry no work text
// (EMAIL_FULL_TEXT=link), the email says the report is ready and links to the desk's 调研 page of the quarter, which
// shows it; nothing is attached.
import { formatShanghaiDate, now } from '../core/clock';
import { config } from '../core/config';
import { html, type SafeHtml } from '../core/html';
import { button, CELL_STYLE, fullText, HEAD_STYLE, layout, linkNote } from '../mail/frame';
import type { DeliveryResult } from '../mail/outbox';
import {
  type Run,
  type RunEmail,
  type RunKind,
  readRun,
  resumeRun,
  runRecipients,
  type Send,
  type SendResult,
  sendRun,
} from '../mail/runs';
import { listRoster, reportingUnits } from '../roster/people';
import { deskUrl } from '../roster/personalLinks';
import { xlsxOf } from '../sheets/write';
import { keys } from '../store/keys';
import { audienceOf } from '../topics/topics';
import { matrixFileName, matrixSheet } from './matrixSheet';
import { quarterLabel, shiftQuarter } from './quarters';
import { STATE_LABELS, stateCounts, type TaskMatrix, type TaskState, taskMatrix } from './status';
import { listTasks, type Task } from './tasks';

export interface QuarterlyReport {
  /** The quarter reported on. */
  quarter: string;
  title: string;
  matrix: TaskMatrix;
  next: { quarter: string; tasks: (Task & { audience: string })[] };
  computedAt: string;
}

export async function computeQuarterly(quarter: string): Promise<QuarterlyReport> {
  const county = config().countyId;
  const nextQuarter = shiftQuarter(quarter, 1);
  const roster = await listRoster(county);
  const [matrix, next] = await Promise.all([taskMatrix(quarter, undefined, roster), listTasks(county, nextQuarter)]);
  const { names } = reportingUnits(roster);
  return {
    quarter,
    title: `${quarterLabel(quarter)}重点调研完成情况`,
    matrix,
    next: { quarter: nextQuarter, tasks: next.map((t) => ({ ...t, audience: audienceOf(t, names) })) },
    computedAt: now().toISOString(),
  };
}

const cell = CELL_STYLE;
const head = HEAD_STYLE;
const COLORS: Record<TaskState, string> = {
  accepted: '#1b5e20',
  submitted: '#1a1a1a',
  returned: '#bf360c',
  rejected: '#595959',
  none: '#595959',
  overdue: '#b71c1c',
};

const tally = (m: TaskMatrix, taskId: string): string => stateCounts(m.cells[taskId] ?? {});

function taskRows(m: TaskMatrix, t: Task) {
  const names = new Map(m.units.map((u) => [u.unitId, u.name]));
  return Object.entries(m.cells[t.taskId] ?? {})
    .map(([unitId, c]) => ({ name: names.get(unitId) ?? unitId, ...c }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh'));
}

/** The report as a `link` email: that it is ready, and (`desk`: the recipient's desk page of the quarter) where. */
function quarterlyLinkEmail(r: QuarterlyReport, greeting: string, desk?: string) {
  const intro = `${quarterLabel(r.quarter)}重点调研任务完成情况和${quarterLabel(r.next.quarter)}的任务已经汇总。`;
  const what = '任务的题目和各单位的完成情况';
  const note = desk ? linkNote(what) : linkNote(what, '请在信息科工作台的“重点调研”页查看');
  const date = formatShanghaiDate(r.computedAt);
  return {
    subject: r.title,
    html: layout(
      r.title,
      html`${greeting ? html`<p>${greeting}</p>` : ''}<p>${intro}</p><p>${note}</p>${desk ? button(desk, '在工作台查看完成情况') : ''}
<p style="font-size:13px;color:#666">县委组织部信息科 ${date}</p>`,
    ),
    text: [
      greeting,
      intro,
      note,
      '',
      ...(desk ? [`在工作台查看完成情况：${desk}`] : []),
      `县委组织部信息科 ${date}`,
    ].join('\n'),
  };
}

/** `desk`: in `link` mode, the recipient's desk page of the quarter, which the email links to instead of the matrix. */
export function quarterlyEmail(
  r: QuarterlyReport,
  name?: string,
  desk?: string,
): { subject: string; html: string; text: string } {
  const m = r.matrix;
  const greeting = name ? `${name}同志：` : '';
  if (!fullText()) return quarterlyLinkEmail(r, greeting, desk);
  const intro = `现将${quarterLabel(r.quarter)}重点调研任务完成情况通报如下（共 ${m.tasks.length} 项任务）。`;
  const tasksHtml: SafeHtml[] = m.tasks.map(
    (t) =>
      html`<h3 style="font-size:15px;margin:16px 0 4px">${t.title}</h3><p style="margin:0 0 6px;color:#595959;font-size:13px">${t.due} 截止${t.lead ? `，牵头人 ${t.lead}` : ''}；${tally(m, t.taskId)}</p>
<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%"><tr><th style="${head}" align="left">单位</th><th style="${head}">状态</th><th style="${head}">日期</th><th style="${head}" align="left">稿件</th><th style="${head}">上级采用</th></tr>${taskRows(
        m,
        t,
      ).map(
        (c) =>
          html`<tr><td style="${cell};white-space:nowrap">${c.name}</td><td style="${cell};color:${COLORS[c.state]};white-space:nowrap" align="center">${STATE_LABELS[c.state]}</td><td style="${cell};white-space:nowrap" align="center">${c.on ?? ''}</td><td style="${cell}">${c.receipts.join('、')}</td><td style="${cell}" align="right">${c.adoptions}</td></tr>`,
      )}</table>`,
  );
  const nextHtml = r.next.tasks.length
    ? html`<ul>${r.next.tasks.map((t) => html`<li>${t.title}（${t.due} 截止，${t.audience}${t.lead ? `，牵头人 ${t.lead}` : ''}）</li>`)}</ul>`
    : html`<p>${quarterLabel(r.next.quarter)}尚未部署重点调研任务。</p>`;
  const date = formatShanghaiDate(r.computedAt);
  const text = [
    greeting,
    intro,
    '',
    `一、${quarterLabel(r.quarter)}任务完成情况`,
    ...(m.tasks.length
      ? m.tasks.flatMap((t) => [
          `${t.title}（${t.due} 截止${t.lead ? `，牵头人 ${t.lead}` : ''}）：${tally(m, t.taskId)}`,
          ...taskRows(m, t).map(
            (c) =>
              `  ${c.name}：${STATE_LABELS[c.state]}${c.on ? ` ${c.on}` : ''}${c.receipts.length ? `（${c.receipts.join('、')}）` : ''}${c.adoptions ? `，上级采用 ${c.adoptions}` : ''}`,
          ),
        ])
      : ['本季度没有部署重点调研任务。']),
    '',
    `二、${quarterLabel(r.next.quarter)}任务`,
    ...(r.next.tasks.length
      ? r.next.tasks.map((t) => `${t.title}（${t.due} 截止，${t.audience}${t.lead ? `，牵头人 ${t.lead}` : ''}）`)
      : [`${quarterLabel(r.next.quarter)}尚未部署重点调研任务。`]),
    '',
    `各单位明细见附件 Excel 表格。县委组织部信息科 ${date}`,
  ].join('\n');
  return {
    subject: r.title,
    html: layout(
      r.title,
      html`${greeting ? html`<p>${greeting}</p>` : ''}<p>${intro}</p>
<h2 style="font-size:17px;color:#b71c1c">一、${quarterLabel(r.quarter)}任务完成情况</h2>${m.tasks.length ? tasksHtml : html`<p>本季度没有部署重点调研任务。</p>`}
<h2 style="font-size:17px;color:#b71c1c">二、${quarterLabel(r.next.quarter)}任务</h2>${nextHtml}
<p style="font-size:13px;color:#666">各单位明细见附件 Excel 表格。县委组织部信息科 ${date}</p>`,
    ),
    text,
  };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Each recipient's desk page of the quarter, signed with their key version as the roster has it now (a revoke since
 * the run was frozen: the new link). Someone no longer there gets none.
 */
async function deskPages(run: Run<QuarterlyReport>): Promise<Map<string, string>> {
  const people = new Map((await listRoster(config().countyId)).people.map((p) => [p.personId, p]));
  const pages = new Map<string, string>();
  for (const r of run.recipients) {
    const person = people.get(r.personId);
    if (person)
      pages.set(r.personId, await deskUrl(person.personId, person.keyVersion, `/desk/tasks?quarter=${run.period}`));
  }
  return pages;
}

export const quarterlyKind: RunKind<QuarterlyReport> = {
  job: 'quarterly',
  partition: (county, quarter) => keys.quarterly(county, quarter),
  compute: (quarter) => computeQuarterly(quarter),
  recipients: async () => runRecipients((await listRoster(config().countyId)).people, new Set(['leader', 'editor'])),
  emails: async (run) => {
    if (!fullText()) {
      const desks = await deskPages(run);
      return (recipient): RunEmail => ({
        to: recipient.email,
        ...quarterlyEmail(run.content, recipient.name, desks.get(recipient.personId)),
        attachments: [],
      });
    }
    const sheet = await xlsxOf(matrixSheet(run.content.matrix));
    const filename = `${matrixFileName(run.content.matrix)}.xlsx`;
    return (recipient): RunEmail => ({
      to: recipient.email,
      ...quarterlyEmail(run.content, recipient.name),
      attachments: [{ filename, contentType: XLSX, content: sheet }],
    });
  },
  rate: () => config().bulletinRate,
  busy: '这个季度的调研情况还在发送中，请等全部发出后再重发。',
};

export type QuarterlyRun = Run<QuarterlyReport>;

export const quarterlyRun = (quarter: string): Promise<QuarterlyRun | undefined> => readRun(quarterlyKind, quarter);

export const sendQuarterly = (
  quarter: string,
  options: { by?: string; resend?: boolean; send?: Send; freezeOnly?: boolean } = {},
): Promise<SendResult> => sendRun(quarterlyKind, quarter, options);

export const resumeQuarterly = (item: Record<string, unknown>, leaseId: string): Promise<DeliveryResult> =>
  resumeRun(quarterlyKind, item, leaseId);
