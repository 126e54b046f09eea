// The operators' commands for scores (`npm run admin -- rules …`, `scores`, `award`), registered by scripts/admin.ts:
// showing and setting the scoring rules, re-scoring after a change, the rankings (with their .xlsx and CSV), and the
// annual 信息奖, computed or sent once a year.
import { readFileSync } from 'node:fs';
import { type Command, str, table, writeFiles } from '../core/cli';
import { formatShanghai, isMonth, now, shanghai } from '../core/clock';
import { OPERATOR } from '../roster/rosterEvents';
import { LEVEL_LABELS, LEVELS } from '../scoring/rules';
import { type Award, checkYear, computeAward, type Places, sendAward } from './award';
import { deliverAward } from './deliverNow';
import { RANK_BY_LABELS, type RankBy, type RankRow, ranking, TIE_RULE } from './rankings';
import { rescore } from './rescore';
import { scoresFile } from './scoresSheet';
import { rulesInForce, setRules } from './setRules';

export const SCORE_COMMANDS: Record<string, Command> = {
  'rules show': {
    summary: '显示现行积分规则和全部版本',
    run: async () => {
      const { current, versions } = await rulesInForce();
      const r = current.rules;
      console.log(`现行积分规则：第 ${current.version} 版（${current.effectiveFrom} 起生效）`);
      console.log(`  采用一次：${LEVELS.map((l) => `${LEVEL_LABELS[l]} ${r.points[l]} 分`).join('，')}`);
      console.log(`  稿件类型系数：信息 ×${r.kindMultiplier.info}，调研文稿 ×${r.kindMultiplier.research}`);
      console.log(`  领导批示加分：${LEVELS.map((l) => `${LEVEL_LABELS[l]} ${r.instructionBonus[l]} 分`).join('，')}`);
      console.log(
        `  回应点题加分：${r.topicBonus} 分；信息奖名额：先进单位 ${r.award.units}，先进个人 ${r.award.informants}，优秀信息 ${r.award.pieces}`,
      );
      console.log('全部版本：');
      for (const v of versions)
        console.log(`  第 ${v.version} 版：${v.effectiveFrom} 起，${v.setBy}，${formatShanghai(v.setAt)}`);
      return 0;
    },
  },
  'rules set': {
    summary: '登记新版本的积分规则（JSON 文件，格式同 shared/scoring/defaultRules.json）',
    args: ['FILE'],
    options: {
      from: { type: 'string', value: 'YYYY-MM-DD', help: '生效日期（必填）：采用日期在此日及以后的按新规则计分' },
    },
    details: ['已登记的采用保留原积分；需要按新规则重新计分时运行 rules rescore --from 日期。'],
    run: async ({ args: [file = ''], values }) => {
      const { version, added } = await setRules(readFileSync(file), str(values.from), OPERATOR);
      console.log(
        added
          ? `已登记第 ${version.version} 版积分规则，${version.effectiveFrom} 起生效。`
          : `与第 ${version.version} 版相同，没有新增版本。`,
      );
      return 0;
    },
  },
  'rules rescore': {
    summary: '按现行各版本规则，重新计算某日以后的采用积分（留有记录）',
    options: { from: { type: 'string', value: 'YYYY-MM-DD', help: '采用日期在此日及以后的重新计分（必填）' } },
    details: ['只有运行此命令才会改变已登记的积分；每条改动和本次运行都记录在案。可重复运行：已是新积分的不再改动。'],
    run: async ({ values }) => {
      const r = await rescore(str(values.from) ?? '', OPERATOR);
      console.log(
        `重新计分完成：${r.from} 以后的有效采用 ${r.checked} 条，积分改变 ${r.changed} 条，合计变化 ${r.delta >= 0 ? '+' : ''}${r.delta} 分。`,
      );
      return 0;
    },
  },
  scores: {
    summary: '积分排名（单位、信息员或稿件；全年或某月）',
    options: {
      year: { type: 'string', value: 'YYYY', help: '年份（默认今年）' },
      month: { type: 'string', value: 'YYYY-MM', help: '只看这个月登记的采用' },
      by: { type: 'string', value: 'unit|informant|piece', help: '排名对象（默认 unit）' },
      xlsx: { type: 'string', value: 'FILE', help: '同时写成 Excel 工作簿' },
      csv: { type: 'string', value: 'FILE', help: '同时写成 CSV 文件' },
    },
    run: async ({ values }) => {
      const month = str(values.month);
      const year = checkYear(str(values.year) ?? month?.slice(0, 4) ?? shanghai(now()).year);
      if (month && (!isMonth(month) || month.slice(0, 4) !== String(year))) {
        console.error(
          `月份不正确：${month}。请写成 年-月，并与 --year 一致，例如：scores --year ${year} --month ${year}-10`,
        );
        return 2;
      }
      const by = (str(values.by) ?? 'unit') as RankBy;
      if (!Object.hasOwn(RANK_BY_LABELS, by)) {
        console.error(`--by 只能是 unit（单位）、informant（信息员）或 piece（稿件）：${by}`);
        return 2;
      }
      const r = await ranking({ year, ...(month ? { month } : {}), by });
      console.log(`${r.period}积分排名（按${RANK_BY_LABELS[by]}）`);
      const withUnit = by !== 'unit';
      const rows = [
        [
          '名次',
          RANK_BY_LABELS[by],
          ...(withUnit ? ['所在单位'] : []),
          '积分',
          '采用篇次',
          '中央',
          '自治区',
          '地区',
          '县',
          '最后采用',
        ],
        ...r.rows.map((x) => [
          String(x.rank),
          x.name,
          ...(withUnit ? [x.unitName ?? ''] : []),
          String(x.points),
          String(x.adoptions),
          ...(['central', 'region', 'prefecture', 'county'] as const).map((l) => String(x.byLevel[l])),
          x.lastOn,
        ]),
      ];
      for (const line of table(rows)) console.log(line);
      console.log(`排名规则：${TIE_RULE}`);
      await writeFiles(values, (format) => scoresFile(r, format));
      return 0;
    },
  },
};

/** `award`, listed after the research tasks' commands in the help. */
export const AWARD_COMMANDS: Record<string, Command> = {
  award: {
    summary: '年度信息奖：先进单位、先进个人、优秀信息（--send 发给编辑和领导，每年一次）',
    options: {
      year: { type: 'string', value: 'YYYY', help: '年份（默认今年）' },
      units: { type: 'string', value: 'N', help: '先进单位名额（默认按积分规则）' },
      informants: { type: 'string', value: 'M', help: '先进个人名额' },
      pieces: { type: 'string', value: 'K', help: '优秀信息篇数' },
      send: { type: 'boolean', help: '把结果发给全部编辑和领导（每年只发一次，再次运行不重复发送）' },
    },
    run: async ({ values, sweep }) => {
      const year = checkYear(str(values.year) ?? shanghai(now()).year);
      const places: Partial<Places> = {};
      for (const key of ['units', 'informants', 'pieces'] as const) {
        const v = str(values[key]);
        if (v === undefined) continue;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 100) {
          console.error(`--${key} 应为 1 到 100 之间的整数：${v}`);
          return 2;
        }
        places[key] = n;
      }
      const show = (a: Award) => {
        console.log(
          `${a.year} 年度信息奖（先进单位前 ${a.places.units} 名，先进个人前 ${a.places.informants} 名，优秀信息前 ${a.places.pieces} 篇；并列者同列）${a.provisional ? '——本年度尚未结束，结果可能变化' : ''}`,
        );
        const list = (title: string, rows: RankRow[], unit: boolean) => {
          console.log(`${title}：`);
          for (const r of rows)
            console.log(
              `  ${r.rank}. ${r.name}${unit && r.unitName ? `（${r.unitName}）` : ''}  ${r.points} 分，采用 ${r.adoptions} 篇次`,
            );
          if (rows.length === 0) console.log('  （无）');
        };
        list('先进单位', a.units, false);
        list('先进个人', a.informants, true);
        list('优秀信息', a.pieces, true);
        console.log(`排名规则：${TIE_RULE}`);
      };
      if (!values.send) {
        show(await computeAward(year, places));
        return 0;
      }
      const { sent, now: first } = await sendAward(year, OPERATOR, { places, deliver: deliverAward });
      show(sent.award);
      if (first) {
        const r = await sweep();
        console.log(`已发送给 ${sent.recipients} 位编辑和领导（发送 ${r.sent} 封，等待重试 ${r.pending} 封）。`);
      } else {
        console.log(
          `${year} 年度信息奖已由 ${sent.sentBy} 于 ${formatShanghai(sent.sentAt)} 发送过，没有重复发送（以上为当时的结果）。`,
        );
      }
      return 0;
    },
  },
};
