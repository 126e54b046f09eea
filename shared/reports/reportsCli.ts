// The operators' command for the year's 《组工专报》 (`npm run admin -- issues`), registered by scripts/admin.ts: its
// issues and the pieces each one took.
import { type Command, str } from '../core/cli';
import { now, shanghai } from '../core/clock';
import { issueStats } from './issueStats';

export const REPORT_COMMANDS: Record<string, Command> = {
  issues: {
    summary: '本年度《组工专报》期数和采用稿件数',
    options: { year: { type: 'string', value: 'YYYY', help: '年份，例如 2026（默认今年）' } },
    run: async ({ values }) => {
      const yearArg = str(values.year);
      const year = yearArg ? Number(yearArg) : shanghai(now()).year;
      if (!Number.isInteger(year) || year < 2000 || year > 2100) {
        console.error('年份不正确，例如：issues --year 2026');
        return 2;
      }
      const stats = await issueStats(year);
      console.log(
        `${year} 年《组工专报》：${stats.issues.length} 期，采用稿件 ${stats.accepted} 篇（未填期号 ${stats.acceptedWithoutIssue} 篇）。`,
      );
      for (const i of stats.issues)
        console.log(`  第 ${i.issueNo} 期：${i.receipts.length} 篇（${i.receipts.join('、')}）`);
      return 0;
    },
  },
};
