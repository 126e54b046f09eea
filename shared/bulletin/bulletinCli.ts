// The operators' command for the monthly 通报 (`npm run admin -- bulletin`), registered by scripts/admin.ts: computing
// and sending a month's, once to each recipient, or printing it as text, or sending a trial to one address.
import { type Command, str } from '../core/cli';
import { isMonth, now } from '../core/clock';
import { OPERATOR } from '../roster/rosterEvents';
import { computeBulletin } from './computeBulletin';
import { bulletinEmail } from './emails';
import { previousMonth } from './months';
import { sendBulletin, sendTrial } from './sendBulletin';

export const BULLETIN_COMMANDS: Record<string, Command> = {
  bulletin: {
    summary: '月通报：计算并发送某月的组工信息工作通报（每人一封，只发一次）',
    options: {
      month: { type: 'string', value: 'YYYY-MM', help: '通报的月份（默认上个月）' },
      'dry-run': { type: 'boolean', help: '只打印通报的文字版，不发送、不记录' },
      to: { type: 'string', value: 'ADDRESS', help: '只试发给这个地址（不记为已发送）' },
      resend: { type: 'boolean', help: '已发送过的月份重新计算并发给所有人' },
    },
    details: [
      '同一月份再次运行只补发尚未发出的（例如中途中断），不会重复发送；需要重发时加 --resend。',
      '收件人：领导、编辑和各单位信息员（部署设置 bulletinRecipients 可改）。',
    ],
    run: async ({ values }) => {
      const month = str(values.month) ?? previousMonth(now());
      if (!isMonth(month)) {
        console.error(`月份格式不正确：${month}（应为 YYYY-MM，例如 2026-10）`);
        return 2;
      }
      if (values['dry-run']) {
        const b = await computeBulletin(month);
        console.log(`主题：${b.title}\n`);
        console.log(bulletinEmail(b, { view: '（正式发送的邮件中附图表版链接）' }).text);
        console.log('（试运行：没有发送，也没有记录。）');
        return 0;
      }
      const to = str(values.to);
      if (to) {
        await sendTrial(month, to);
        console.log(`已把 ${month} 的通报试发到 ${to}（不记为已发送）。`);
        return 0;
      }
      const r = await sendBulletin(month, { by: OPERATOR.name, resend: values.resend === true });
      const what = r.started ? (r.round > 1 ? `第 ${r.round} 次发送` : '首次发送') : '此前已发送';
      console.log(
        `${month} 通报（${what}）：收件人 ${r.recipients} 位，本次发出 ${r.sent} 封，此前已发 ${r.already} 封，未发出 ${r.failed} 封${r.givenUp ? `，放弃 ${r.givenUp} 封（地址被拒或多次失败，请核对名单中的邮箱）` : ''}。`,
      );
      if (!r.started && r.sent === 0 && r.failed === 0) console.log('没有重复发送；需要重发请加 --resend。');
      return r.failed > 0 ? 1 : 0;
    },
  },
};
