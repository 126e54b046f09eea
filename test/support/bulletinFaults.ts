// What the 通报's fault suites share, over SES (bulletin.faults.test.ts) and over SMTP (bulletin.smtp.faults.test.ts):
// a month of its own per case, the job as the schedule fires it, and the check that after recovery every recipient
// had the month once (twice at most where the mail service kept a message whose answer was lost), the run is over,
// and one more run sends nothing; over SMTP also that each message went to one recipient, with its .xlsx.
import { handler as bulletinJob } from '../../functions/bulletin';
import { handler as sweep } from '../../functions/sweeper';
import { bulletinTitle } from '../../shared/bulletin/bulletin';
import { bulletinRun, sendBulletin } from '../../shared/bulletin/sendBulletin';
import { countMails, type FaultCounty, mailMayRepeat, smtpMessageProblems, type steppingClock } from './faultState';

export function bulletinFaultKit(fc: () => FaultCounty, clock: ReturnType<typeof steppingClock>, recipients: string[]) {
  let months = 0;
  /** A month of its own for every case, from January 2000 on (the desk sends none later than last month). */
  const monthAt = (n: number) => `${2000 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
  const freshMonth = async () => {
    clock.advance(60_000);
    await fc().clearMailbox();
    return monthAt(months++);
  };

  /** The job as the schedule fires it: on the 1st of the month after, 09:00 Asia/Shanghai. */
  const job = (month: string) =>
    bulletinJob({
      scheduledTime: `${monthAt(Number(month.slice(0, 4)) * 12 - 2000 * 12 + Number(month.slice(5)))}-01T01:00:00Z`,
    }).then(
      (r) => ({ ok: true as const, ...r }),
      (err: Error) => ({ ok: false as const, error: err.name }),
    );

  /** The sweeper's passes, the clock past every lease and back-off, until the run has left the outbox. */
  async function sweepUntilFinished(month: string): Promise<void> {
    for (let i = 0; i < 6 && !(await bulletinRun(month))?.finishedAt; i++) {
      clock.advance(20 * 60_000);
      await sweep().catch(() => {});
    }
  }

  async function delivered(month: string, faultCase: Parameters<typeof mailMayRepeat>[0]): Promise<string[]> {
    const problems: string[] = [];
    await sweepUntilFinished(month);
    const run = await bulletinRun(month);
    if (!run) return ['no run'];
    if (!run.finishedAt) problems.push('the run never finished');
    const mails = await fc().county.mails();
    const most = mailMayRepeat(faultCase) ? 2 : 1;
    for (const name of recipients) {
      const n = countMails(mails, fc().address(name), bulletinTitle(month));
      if (n < 1 || n > most) problems.push(`${n} emails to ${name}`);
    }
    clock.advance(20 * 60_000); // past every claim's lease: a claim left unmarked would be sent again now
    const again = await sendBulletin(month);
    if (again.sent !== 0) problems.push(`another run sent ${again.sent}`);
    problems.push(...smtpMessageProblems(fc()));
    for (const m of fc().smtp?.messages ?? []) {
      if (!m.parsed.attachments.some((a) => a.filename?.endsWith('.xlsx'))) problems.push(`no .xlsx to ${m.to}`);
    }
    return problems;
  }

  return { freshMonth, job, delivered };
}
