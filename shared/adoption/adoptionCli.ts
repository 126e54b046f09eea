// The operators' commands for adoptions upstream (`npm run admin -- adoption …`), registered by scripts/admin.ts:
// recording one (the same rules as the email link and the desk), recording a table of contents from a file, and
// withdrawing one recorded by mistake. Listing a year's adoptions is the desk's read (shared/desk/deskCli.ts).
import { readFileSync } from 'node:fs';
import { type Command, str } from '../core/cli';
import { formatShanghai } from '../core/clock';
import { OPERATOR } from '../roster/rosterEvents';
import { deliverAdoption } from './deliverNow';
import { importAdoptions } from './importAdoptions';
import { adoptionLabel } from './pages';
import { recordAdoption } from './recordAdoption';
import { withdrawAdoption } from './withdrawAdoption';

export const ADOPTION_COMMANDS: Record<string, Command> = {
  'adoption add': {
    summary: '登记一篇稿件的上级采用（与邮件链接、工作台的“登记采用”规则相同）',
    options: {
      receipt: { type: 'string', value: 'RECEIPT', help: '回执号，例如 2026-0042' },
      level: {
        type: 'string',
        value: 'LEVEL',
        help: '采用级别：prefecture（地区）、region（自治区）或 central（中央）',
      },
      outlet: { type: 'string', value: 'OUTLET', help: '刊物，例如《新疆组工信息》' },
      issue: { type: 'string', value: 'ISSUE', help: '期号，例如 12' },
      date: { type: 'string', value: 'YYYY-MM-DD', help: '采用日期（不晚于今天，不早于报送日期）' },
      instruction: {
        type: 'string',
        value: 'LEVEL',
        help: '领导批示：none（默认）、county、prefecture、region 或 central',
      },
    },
    details: ['同一级别、刊物、期号再次登记时不重复计分，显示已有记录。信息员会收到邮件。'],
    run: async ({ values }) => {
      const receipt = str(values.receipt);
      if (!receipt) {
        console.error(
          '缺少 --receipt（回执号），例如：adoption add --receipt 2026-0042 --level region --outlet 《新疆组工信息》 --issue 12 --date 2026-10-15',
        );
        return 2;
      }
      const fields = {
        level: str(values.level),
        outlet: str(values.outlet),
        issue: str(values.issue),
        date: str(values.date),
        instruction: str(values.instruction) ?? 'none',
      };
      const { record, added } = await recordAdoption(receipt, fields, OPERATOR, {
        source: 'cli',
        deliver: deliverAdoption,
      });
      console.log(
        added
          ? `已登记：${record.receipt}《${record.title}》${adoptionLabel(record)}，计 ${record.points} 分（积分规则第 ${record.rulesVersion} 版）。已通知信息员。`
          : `此采用已于 ${formatShanghai(record.at)} 由 ${record.recordedBy.name} 登记过：${adoptionLabel(record)}，计 ${record.points} 分。未重复登记。`,
      );
      return 0;
    },
  },
  'adoption import': {
    summary: '按刊物目录批量登记上级采用（.xlsx，或 CSV：UTF-8 或 GBK）',
    args: ['FILE'],
    details: [
      '表头：回执号,采用级别,刊物,期号,采用日期,领导批示（也可用英文 receipt,level,outlet,issue,date,instruction；领导批示可不填）。',
      '任何一行有错误时不登记任何内容，并列出全部有错误的行；已登记过的采用不会重复登记，同一文件可重新导入。',
    ],
    run: async ({ args: [file = ''] }) => {
      const result = await importAdoptions(readFileSync(file), OPERATOR, { source: 'cli', deliver: deliverAdoption });
      if (!result.ok) {
        console.error(`采用目录有 ${result.errors.length} 处错误，未登记任何内容：`);
        for (const e of result.errors) console.error(`  ${e.message}`);
        return 1;
      }
      console.log(
        `登记完成：共 ${result.lines} 行，新登记 ${result.added} 条，已登记过 ${result.duplicates} 条（未重复登记）。`,
      );
      return 0;
    },
  },
  'adoption withdraw': {
    summary: '撤销一条登记有误的采用（留有记录，积分不再计入）',
    options: {
      receipt: { type: 'string', value: 'RECEIPT', help: '回执号' },
      id: { type: 'string', value: 'ID', help: '采用记录编号（adoption list 中列出）' },
      reason: { type: 'string', value: 'TEXT', help: '撤销原因（必填）' },
    },
    run: async ({ values }) => {
      const { record } = await withdrawAdoption(
        str(values.receipt) ?? '',
        str(values.id) ?? '',
        str(values.reason),
        OPERATOR,
      );
      console.log(`已撤销：${record.receipt} ${adoptionLabel(record)}。`);
      return 0;
    },
  },
};
