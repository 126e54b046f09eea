// The desk's reads on the command line (`npm run admin -- figures`, `adoption list`), registered by scripts/admin.ts:
// the 数据 page's figures by unit (with its .xlsx and CSV) and the 采用 page's adoptions of a year. They sit here, not
// in reports/ or adoption/, because they read what the desk computes (its sheet, its year of adoptions).
import { adoptionLabel } from '../adoption/pages';
import { type Command, str, table, writeFiles } from '../core/cli';
import { monthOf, now, shanghai } from '../core/clock';
import { type Counts, figures } from '../reports/figures';
import { listRoster, reportingUnits } from '../roster/people';
import { checkYear } from '../scores/award';
import { figuresFile } from './figuresSheet';
import { yearAdoptions } from './yearAdoptions';

/** `figures`, listed after `issues` in the help. */
export const FIGURE_COMMANDS: Record<string, Command> = {
  figures: {
    summary: '各单位某月和本年累计的报送、采用篇数（即工作台的“数据”）',
    options: {
      month: { type: 'string', value: 'YYYY-MM', help: '月份，例如 2026-11（默认本月）' },
      xlsx: { type: 'string', value: 'FILE', help: '同时写成 Excel 工作簿' },
      csv: { type: 'string', value: 'FILE', help: '同时写成 CSV 文件（UTF-8，Excel 可直接打开）' },
    },
    run: async ({ values, county }) => {
      const current = monthOf(now());
      const month = str(values.month) ?? current;
      if (!/^20\d\d-(0[1-9]|1[0-2])$/.test(month)) {
        console.error(`月份不正确：${month}。请写成 年-月，例如：figures --month ${current}`);
        return 2;
      }
      if (month > current) {
        console.error(`${month} 还没有到：最多统计到本月（${current}）。`);
        return 2;
      }
      const f = await figures(county, month, reportingUnits(await listRoster(county)));
      const cells = (name: string, m: Counts, y: Counts) => [name, m.sent, m.accepted, y.sent, y.accepted].map(String);
      const rows = [
        ['单位', '本月报送', '本月采用', '本年报送', '本年采用'],
        ...f.units.map((u) => cells(u.name, u.month, u.year)),
        cells('合计', f.total.month, f.total.year),
      ];
      console.log(
        `${month} 数据（本月 = ${month}，本年 = ${month.slice(0, 4)} 年 1 月至 ${Number(month.slice(5))} 月）`,
      );
      for (const line of table(rows)) console.log(line);
      console.log(
        f.silent.length ? `本月未报送的单位（${f.silent.length} 个）：${f.silent.join('、')}` : '本月各单位均有报送。',
      );
      await writeFiles(values, (format) => figuresFile(f, format));
      return 0;
    },
  },
};

/** `adoption list`, listed after the other adoption commands (shared/adoption/adoptionCli.ts) in the help. */
export const ADOPTION_LIST_COMMANDS: Record<string, Command> = {
  'adoption list': {
    summary: '列出某年登记的上级采用（含编号、积分和撤销情况）',
    options: { year: { type: 'string', value: 'YYYY', help: '年份（默认今年）' } },
    run: async ({ values }) => {
      const year = checkYear(str(values.year) ?? shanghai(now()).year);
      const rows = await yearAdoptions({ year });
      for (const r of rows) {
        console.log(
          `${r.record.receipt}\t${r.record.adoptionId}\t${adoptionLabel(r.record)}\t${r.points} 分${r.withdrawal ? `\t已撤销（${r.withdrawal.reason}）` : ''}\t${r.record.title}`,
        );
      }
      console.log(`${year} 年共 ${rows.length} 条上级采用（有效 ${rows.filter((r) => !r.withdrawal).length} 条）。`);
      return 0;
    },
  },
};
