// The operators' commands for the jobs that otherwise run on a schedule (`npm run admin -- sweep`, `outbox failed`,
// `remind`, `schedule run …`), registered by scripts/admin.ts: sending pending email now, listing the email given up
// on, reminding editors now, and running a scheduled job now. They stay in scripts/ because they call the jobs'
// handlers in functions/ and the sweeper's pass in shared/app, which no feature of shared/ may import.
import { handler as bulletinJob } from '../functions/bulletin';
import { handler as quarterlyJob } from '../functions/quarterly';
import { handler as remindersJob } from '../functions/reminders';
import { sweepAll } from '../shared/app/sweep';
import type { Command } from '../shared/core/cli';
import { now } from '../shared/core/clock';
import { config } from '../shared/core/config';
import { failedEmails } from '../shared/mail/outbox';
import { quarterLabel } from '../shared/research/quarters';
import { sendReminders } from '../shared/review/sendReminders';

/** `sweep`, `outbox failed`, `remind`, listed after the roster's commands in the help. */
export const JOB_COMMANDS: Record<string, Command> = {
  sweep: {
    summary: '立即发送待发邮件',
    run: async ({ county }) => {
      const r = await sweepAll(county);
      console.log(`已发送 ${r.sent} 封，失败 ${r.failed} 封，等待重试 ${r.pending} 封。`);
      return 0;
    },
  },
  'outbox failed': {
    summary: '列出已放弃发送的邮件（地址被拒、多次失败），需人工处理',
    run: async ({ county }) => {
      const failed = await failedEmails(county);
      for (const f of failed) {
        console.log(
          `${f.failedAt}\t${f.to}\t${f.template}\t尝试 ${f.attempts} 次\t${f.lastError}\t${f.key.pk} ${f.key.sk}`,
        );
      }
      console.log(failed.length ? `共 ${failed.length} 封邮件已放弃发送，请核对地址后处理。` : '没有放弃发送的邮件。');
      return 0;
    },
  },
  remind: {
    summary: '立即提醒编辑审核等待过久的稿件（每篇每天最多一次）',
    run: async ({ county }) => {
      const r = await sendReminders(county);
      console.log(`已提醒 ${r.reminded} 篇稿件；${r.cleared} 篇已处理，不再提醒。`);
      return 0;
    },
  },
};

/** `schedule run`, listed after `bulletin` in the help. */
export const SCHEDULE_COMMANDS: Record<string, Command> = {
  'schedule run': {
    summary: '像定时任务一样立即运行一项任务（bulletin、quarterly、reminders、sweeper）',
    args: ['JOB'],
    run: async ({ args: [job = ''] }) => {
      const scheduledTime = now().toISOString();
      if (job === 'bulletin') {
        const r = await bulletinJob({ scheduledTime });
        console.log(`${r.period} 通报：本次发出 ${r.sent} 封，此前已发 ${r.already} 封（收件人 ${r.recipients} 位）。`);
      } else if (job === 'quarterly') {
        const r = await quarterlyJob({ scheduledTime });
        console.log(
          `${quarterLabel(r.period)}重点调研情况：本次发出 ${r.sent} 封，此前已发 ${r.already} 封（收件人 ${r.recipients} 位）。`,
        );
      } else if (job === 'reminders') {
        const r = await remindersJob();
        console.log(`提醒：${JSON.stringify(r)}`);
      } else if (job === 'sweeper') {
        const r = await sweepAll(config().countyId);
        console.log(`已发送 ${r.sent} 封，失败 ${r.failed} 封，等待重试 ${r.pending} 封。`);
      } else {
        console.error(`没有这项任务：${job}（可选 bulletin、quarterly、reminders、sweeper）`);
        return 2;
      }
      return 0;
    },
  },
};
