// Operators' CLI: `npm run admin -- <command>`; `--help` lists the commands, `<command> --help` explains one. The same
// use cases as the functions, against the local stack (default: the ports and data dir of `npm start`) or, with --aws
// (anywhere on the line), against a deployed stack whose settings come from the environment (TABLE_NAME, COUNTY_ID,
// SIGNING_KEY_SECRET_ARN, PUBLIC_URL, SENDER, AWS_REGION + credentials). Each command's usage, options and work are
// one entry of COMMANDS; arguments are read by node:util parseArgs. Exit codes: 0 done, 1 failed, 2 wrong usage.
// Nothing here prints a signed link or a secret: links go to people by email.
import { readFileSync, writeFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { handler as bulletinJob } from '../functions/bulletin';
import { handler as quarterlyJob } from '../functions/quarterly';
import { handler as remindersJob } from '../functions/reminders';
import { applyLocalEnv, localSettings, localSigningKey } from '../local/env';
import { deliverAdoption } from '../shared/adoption/deliverNow';
import { importAdoptions } from '../shared/adoption/importAdoptions';
import { adoptionLabel } from '../shared/adoption/pages';
import { recordAdoption } from '../shared/adoption/recordAdoption';
import { withdrawAdoption } from '../shared/adoption/withdrawAdoption';
import { sweepAll } from '../shared/app/sweep';
import { computeBulletin } from '../shared/bulletin/computeBulletin';
import { bulletinEmail } from '../shared/bulletin/emails';
import { previousMonth } from '../shared/bulletin/months';
import { sendBulletin, sendTrial } from '../shared/bulletin/sendBulletin';
import { formatShanghai, isMonth, monthOf, now, shanghai } from '../shared/core/clock';
import { config } from '../shared/core/config';
import { NotFoundError } from '../shared/core/errors';
import { figuresFile } from '../shared/desk/figuresSheet';
import { yearAdoptions } from '../shared/desk/yearAdoptions';
import { KEY_COMMANDS } from '../shared/links/keysCli';
import { failedEmails } from '../shared/mail/outbox';
import { type Counts, figures } from '../shared/reports/figures';
import { issueStats } from '../shared/reports/issueStats';
import { addTask } from '../shared/research/addTask';
import { closeTask } from '../shared/research/closeTask';
import { deliverTask } from '../shared/research/deliverNow';
import { importTasks } from '../shared/research/importTasks';
import { matrixFileName, matrixSheet } from '../shared/research/matrixSheet';
import { isQuarter, quarterLabel, thisQuarter } from '../shared/research/quarters';
import { STATE_LABELS, taskMatrix } from '../shared/research/status';
import { listTasks } from '../shared/research/tasks';
import { sendReminders } from '../shared/review/sendReminders';
import { importRoster } from '../shared/roster/importRoster';
import { importDetail } from '../shared/roster/importRosterFile';
import { getPerson, listRoster, reportingUnits } from '../shared/roster/people';
import { requestLink } from '../shared/roster/requestLink';
import { revokePerson } from '../shared/roster/revokePerson';
import { logAction, OPERATOR } from '../shared/roster/rosterEvents';
import { setActive } from '../shared/roster/setActive';
import { type Award, checkYear, computeAward, type Places, sendAward } from '../shared/scores/award';
import { deliverAward } from '../shared/scores/deliverNow';
import { RANK_BY_LABELS, type RankBy, type RankRow, ranking, TIE_RULE } from '../shared/scores/rankings';
import { rescore } from '../shared/scores/rescore';
import { scoresFile } from '../shared/scores/scoresSheet';
import { rulesInForce, setRules } from '../shared/scores/setRules';
import { LEVEL_LABELS, LEVELS } from '../shared/scoring/rules';
import { sheetFile } from '../shared/sheets/write';
import { personIdOf } from '../shared/store/keys';
import { addTopic } from '../shared/topics/addTopic';
import { closeTopic } from '../shared/topics/closeTopic';
import { deliverTopic } from '../shared/topics/deliverNow';
import { topicResponses } from '../shared/topics/responses';
import { audienceOf, isOpen, listTopics } from '../shared/topics/topics';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;
interface Input {
  args: string[];
  values: Values;
  county: string;
}
interface Command {
  summary: string;
  /** Required positional arguments, by the name the usage shows. */
  args?: string[];
  options?: Record<string, { type: 'string' | 'boolean'; value?: string; help: string }>;
  details?: string[];
  run: (input: Input) => Promise<number>;
}

const ROLE_LABELS = { informant: '信息员', editor: '编辑', leader: '领导' } as const;
const KIND_LABELS = { department: '部门', township: '乡镇' } as const;
const str = (value: Values[string]) => (typeof value === 'string' ? value : undefined);

const COMMANDS: Record<string, Command> = {
  'roster import': {
    summary: '导入或更新名单（Excel 工作簿 .xlsx，或 CSV：UTF-8 或 GBK 编码）',
    args: ['FILE'],
    details: [
      '表头：单位,单位类型,姓名,邮箱,手机,角色（必须有姓名、邮箱两列；角色为 信息员、编辑 或 领导，不填为信息员）。',
      '任何一行有错误时不导入任何内容，并列出全部有错误的行。新登记的人员收到欢迎邮件和个人链接。',
    ],
    run: async ({ args: [file = ''] }) => {
      const result = await importRoster(readFileSync(file));
      if (!result.ok) {
        console.error(`名单有 ${result.errors.length} 处错误，未导入任何内容：`);
        for (const e of result.errors) console.error(`  ${e.message}`);
        return 1;
      }
      const s = result.summary;
      await logAction({ type: 'import', by: OPERATOR, detail: importDetail(s) });
      const desk = s.deskLinks ? `另向编辑、领导发送工作台链接 ${s.deskLinks} 封。` : '';
      console.log(
        `导入完成：单位 ${s.units} 个；新增 ${s.added} 人，更新 ${s.updated} 人，未变 ${s.unchanged} 人；发送欢迎邮件 ${s.welcomed} 封。${desk}`,
      );
      return 0;
    },
  },
  'roster list': {
    summary: '列出名单（已停用的人员注明“已停用”）',
    run: async ({ county }) => {
      const { units, people } = await listRoster(county);
      const unitName = new Map(units.map((u) => [u.unitId, u.name]));
      const line = (p: (typeof people)[number], phone: boolean) =>
        `  ${p.name}\t${ROLE_LABELS[p.role]}\t${p.email}${phone && p.phone ? `\t${p.phone}` : ''}${p.inactive ? '\t已停用' : ''}`;
      for (const u of units.sort((a, b) => a.name.localeCompare(b.name, 'zh'))) {
        console.log(`${u.name}（${KIND_LABELS[u.kind]}）`);
        for (const p of people.filter((x) => x.unitId === u.unitId)) console.log(line(p, true));
      }
      const unattached = people.filter((p) => !p.unitId || !unitName.has(p.unitId));
      if (unattached.length) console.log('未关联单位');
      for (const p of unattached) console.log(line(p, false));
      console.log(`共 ${units.length} 个单位，${people.length} 人。`);
      return 0;
    },
  },
  'roster revoke': {
    summary: '作废此人的全部链接（信息员、编辑、领导均可），新链接发到其邮箱',
    args: ['EMAIL'],
    details: ['丢了手机、链接被转发时使用：旧链接立即失效。信息员收到新的报送链接，编辑、领导收到新的工作台链接。'],
    run: async ({ args: [email = ''] }) => {
      const { person, keyVersion, emailed } = await revokePerson(email);
      const fresh = person.role === 'informant' ? '新链接' : '新的工作台链接';
      const review = person.role === 'editor' ? '旧审核链接的页面上可点击按钮获取新的审核链接。' : '';
      console.log(
        emailed
          ? `已作废 ${person.name} 的旧链接（现为第 ${keyVersion} 版），${fresh}已发到 ${person.email}。${review}`
          : `已作废 ${person.name} 的全部链接（现为第 ${keyVersion} 版）。此人已停用，未发送新链接；启用后可用 desk-link 命令把链接发给本人。`,
      );
      return 0;
    },
  },
  'roster deactivate': {
    summary: '停用此人（已离开）：链接失效，不再收到邮件；已报送的稿件保留',
    args: ['EMAIL'],
    run: async ({ args: [email = ''] }) => {
      const p = await setActive({ email }, false);
      await logAction({ type: 'deactivate', by: OPERATOR, personId: p.personId });
      console.log(`已停用 ${p.name}（${p.email}）：链接失效，不再收到邮件；已报送的稿件保留。`);
      return 0;
    },
  },
  'roster activate': {
    summary: '重新启用已停用的人员：原有链接恢复有效',
    args: ['EMAIL'],
    run: async ({ args: [email = ''] }) => {
      const p = await setActive({ email }, true);
      await logAction({ type: 'activate', by: OPERATOR, personId: p.personId });
      console.log(`已启用 ${p.name}（${p.email}）：链接恢复有效。`);
      return 0;
    },
  },
  'desk-link': {
    summary: '把此人的链接重新发到其邮箱（编辑、领导：工作台链接；信息员：报送链接）',
    args: ['EMAIL'],
    details: ['与首页“把我的链接发到我的邮箱”相同：同一邮箱 10 分钟内只发一封。链接只发到名单中的邮箱，不在此显示。'],
    run: async ({ args: [email = ''], county }) => {
      const person = await getPerson(county, personIdOf(county, email), { consistent: true });
      if (!person) throw new NotFoundError(`名单中没有这个邮箱：${email}`);
      if (person.inactive) {
        console.error(
          `${person.name}（${person.email}）已停用，不发送链接；请先运行 roster activate ${person.email}。`,
        );
        return 1;
      }
      await requestLink(person.email);
      const r = await sweepAll(county);
      const link = person.role === 'informant' ? '个人报送链接' : '工作台链接';
      console.log(`已把${person.name}的${link}发到 ${person.email}（10 分钟内重复申请不再发送）。`);
      console.log(`已发送 ${r.sent} 封，失败 ${r.failed} 封，等待重试 ${r.pending} 封。`);
      return 0;
    },
  },
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
  'topic add': {
    summary: '发布点题：面向单位的信息员收到邮件，截止日期前报送表单列出本题',
    options: {
      title: { type: 'string', value: '标题', help: '点题标题（必填）' },
      description: { type: 'string', value: '说明', help: '说明（可选）' },
      due: { type: 'string', value: 'YYYY-MM-DD', help: '截止日期（必填，今天或以后）' },
      units: {
        type: 'string',
        value: 'ID,ID|all',
        help: '面向的单位：单位编号或名称，逗号分隔；all 为全部单位（默认）',
      },
    },
    details: ['同一标题和截止日期再发布一次不会重复（也不重发邮件）。单位编号见 roster list。'],
    run: async ({ values, county }) => {
      const roster = await listRoster(county);
      const units = unitIdsOf(roster, str(values.units));
      const result = await addTopic(
        { title: values.title, description: values.description, due: values.due, units },
        OPERATOR,
        { deliver: deliverTopic },
      );
      const t = result.topic;
      if (!result.added) {
        console.log(`点题“${t.title}”（${t.topicId}，${t.due} 截止）已经发布过，没有重复发布。`);
        return 0;
      }
      const r = await sweepAll(county);
      console.log(
        `已发布点题“${t.title}”（编号 ${t.topicId}，${t.due} 截止），面向${audienceOf(t, reportingUnits(roster).names)}。`,
      );
      console.log(`通知 ${result.recipients} 位信息员（发送 ${r.sent} 封，等待重试 ${r.pending} 封）。`);
      return 0;
    },
  },
  'topic list': {
    summary: '列出点题（征集中的在前）及回应稿件数',
    run: async ({ county }) => {
      const [topics, roster] = await Promise.all([listTopics(county), listRoster(county)]);
      const units = reportingUnits(roster);
      if (topics.length === 0) {
        console.log('还没有点题。');
        return 0;
      }
      const rows = await Promise.all(
        [...topics.filter((t) => isOpen(t)), ...topics.filter((t) => !isOpen(t))].map(async (t) => {
          const r = await topicResponses(county, t, units);
          const pieces = r.answered.reduce((n, u) => n + u.receipts.length, 0);
          const state = t.closedAt ? '已结束' : isOpen(t) ? '征集中' : '已截止';
          return [
            t.topicId,
            t.title,
            t.due,
            state,
            audienceOf(t, units.names),
            `${r.answered.length} 个单位 ${pieces} 篇`,
          ];
        }),
      );
      for (const line of table([['编号', '标题', '截止', '状态', '面向', '回应'], ...rows])) console.log(line);
      return 0;
    },
  },
  'topic close': {
    summary: '结束点题的征集：报送表单不再列出；已报送的稿件仍算作回应',
    args: ['ID'],
    run: async ({ args: [id = ''] }) => {
      const { topic, closed } = await closeTopic(id, OPERATOR);
      console.log(closed ? `点题“${topic.title}”已结束征集。` : `点题“${topic.title}”此前已经结束。`);
      return 0;
    },
  },
  'task add': {
    summary: '部署重点调研任务：承担单位的信息员收到邮件，截止日期前调研文稿可选择本任务',
    options: {
      quarter: { type: 'string', value: 'YYYYQN', help: '季度，例如 2026Q4（必填）' },
      title: { type: 'string', value: '名称', help: '任务名称（必填）' },
      description: { type: 'string', value: '说明', help: '说明（可选）' },
      units: { type: 'string', value: 'ID,ID|all', help: '承担单位：单位编号或名称，逗号分隔；all 为全部单位（默认）' },
      due: { type: 'string', value: 'YYYY-MM-DD', help: '截止日期（必填，在该季度内，今天或以后）' },
      lead: { type: 'string', value: '姓名', help: '牵头人（可选）' },
    },
    details: ['同一季度、名称和截止日期再部署一次不会重复（也不重发邮件）。单位编号见 roster list。'],
    run: async ({ values, county }) => {
      const roster = await listRoster(county);
      const result = await addTask({ ...values, units: unitIdsOf(roster, str(values.units)) }, OPERATOR, {
        deliver: deliverTask,
        roster,
      });
      const t = result.task;
      if (!result.added) {
        console.log(`调研任务“${t.title}”（${t.taskId}）已经部署过，没有重复部署。`);
        return 0;
      }
      const r = await sweepAll(county);
      console.log(
        `已部署${quarterLabel(t.quarter)}重点调研任务“${t.title}”（编号 ${t.taskId}，${t.due} 截止），承担单位：${audienceOf(t, reportingUnits(roster).names)}。`,
      );
      console.log(`通知 ${result.recipients} 位信息员（发送 ${r.sent} 封，等待重试 ${r.pending} 封）。`);
      return 0;
    },
  },
  'task import': {
    summary: '按表格批量部署重点调研任务（.xlsx，或 CSV：UTF-8 或 GBK）',
    args: ['FILE'],
    details: [
      '表头：季度,任务名称,说明,单位,截止日期,牵头人（也可用英文 quarter,title,description,units,due,lead；说明、单位、牵头人可不填，单位不填为全部单位，多个单位用顿号分隔）。',
      '任何一行有错误时不部署任何任务，并列出全部有错误的行；已部署过的任务不会重复，同一文件可重新导入。',
    ],
    run: async ({ args: [file = ''] }) => {
      const result = await importTasks(readFileSync(file), OPERATOR, { deliver: deliverTask });
      if (!result.ok) {
        console.error(`任务表有 ${result.errors.length} 处错误，未部署任何任务：`);
        for (const e of result.errors) console.error(`  ${e.message}`);
        return 1;
      }
      console.log(
        `导入完成：共 ${result.lines} 行，新部署 ${result.added} 项，已部署过 ${result.duplicates} 项（未重复部署）。`,
      );
      return 0;
    },
  },
  'task list': {
    summary: '列出一个季度的重点调研任务',
    options: { quarter: { type: 'string', value: 'YYYYQN', help: '季度（默认本季度）' } },
    run: async ({ values, county }) => {
      const quarter = cliQuarter(values);
      if (!quarter) return 2;
      const [tasks, roster] = await Promise.all([listTasks(county, quarter), listRoster(county)]);
      if (tasks.length === 0) {
        console.log(`${quarterLabel(quarter)}还没有重点调研任务。`);
        return 0;
      }
      const names = reportingUnits(roster).names;
      const rows = tasks.map((t) => [
        t.taskId,
        t.title,
        t.due,
        t.lead || '—',
        t.closedAt ? '已结束' : isOpen(t) ? '进行中' : '已截止',
        audienceOf(t, names),
      ]);
      for (const line of table([['编号', '任务名称', '截止', '牵头人', '状态', '承担单位'], ...rows]))
        console.log(line);
      return 0;
    },
  },
  'task close': {
    summary: '结束重点调研任务：调研文稿不再能选择；已报送的仍计入',
    args: ['ID'],
    run: async ({ args: [id = ''] }) => {
      const { task, closed } = await closeTask(id, OPERATOR);
      console.log(closed ? `调研任务“${task.title}”已结束。` : `调研任务“${task.title}”此前已经结束。`);
      return 0;
    },
  },
  'task status': {
    summary: '重点调研任务完成情况（单位 × 任务：未提交、已提交、已退回、已采用、逾期）',
    options: {
      quarter: { type: 'string', value: 'YYYYQN', help: '季度（默认本季度）' },
      xlsx: { type: 'string', value: 'FILE', help: '另存为 Excel 文件' },
      csv: { type: 'string', value: 'FILE', help: '另存为 CSV 文件（UTF-8，带 BOM）' },
    },
    run: async ({ values }) => {
      const quarter = cliQuarter(values);
      if (!quarter) return 2;
      const m = await taskMatrix(quarter);
      console.log(`${quarterLabel(quarter)}重点调研任务完成情况（${m.tasks.length} 项任务，${m.units.length} 个单位）`);
      if (m.tasks.length) {
        const rows = m.units.map((u) => [
          u.name,
          ...m.tasks.map((t) => {
            const c = m.cells[t.taskId]?.[u.unitId];
            return c ? `${STATE_LABELS[c.state]}${c.on ? ` ${c.on}` : ''}` : '—';
          }),
        ]);
        for (const line of table([['单位', ...m.tasks.map((t) => t.taskId)], ...rows])) console.log(line);
        for (const t of m.tasks) console.log(`${t.taskId}：${t.title}（${t.due} 截止）`);
      }
      await writeFiles(values, (format) => sheetFile(matrixSheet(m), matrixFileName(m), format));
      return 0;
    },
  },
  award: {
    summary: '年度信息奖：先进单位、先进个人、优秀信息（--send 发给编辑和领导，每年一次）',
    options: {
      year: { type: 'string', value: 'YYYY', help: '年份（默认今年）' },
      units: { type: 'string', value: 'N', help: '先进单位名额（默认按积分规则）' },
      informants: { type: 'string', value: 'M', help: '先进个人名额' },
      pieces: { type: 'string', value: 'K', help: '优秀信息篇数' },
      send: { type: 'boolean', help: '把结果发给全部编辑和领导（每年只发一次，再次运行不重复发送）' },
    },
    run: async ({ values, county }) => {
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
        const r = await sweepAll(county);
        console.log(`已发送给 ${sent.recipients} 位编辑和领导（发送 ${r.sent} 封，等待重试 ${r.pending} 封）。`);
      } else {
        console.log(
          `${year} 年度信息奖已由 ${sent.sentBy} 于 ${formatShanghai(sent.sentAt)} 发送过，没有重复发送（以上为当时的结果）。`,
        );
      }
      return 0;
    },
  },
  ...KEY_COMMANDS,
};

/** Units named by id or by name (`,`/`，`/`、` between them), or `all`. */
function unitIdsOf(roster: { units: { unitId: string; name: string }[] }, raw: string | undefined): string[] {
  const byName = new Map(roster.units.map((u) => [u.name, u.unitId]));
  return (raw ?? 'all')
    .split(/[,，、]/)
    .map((u) => u.trim())
    .filter((u) => u !== '')
    .map((u) => byName.get(u) ?? u);
}

/** `--quarter` (default this quarter), or undefined after saying what is wrong with it. */
function cliQuarter(values: Values): string | undefined {
  const quarter = (str(values.quarter) ?? thisQuarter()).toUpperCase();
  if (isQuarter(quarter)) return quarter;
  console.error(`季度格式不正确：${quarter}（应为 2026Q4 这样的年份加 Q1—Q4）`);
  return undefined;
}

/** The files `--xlsx FILE` and `--csv FILE` ask for, written from the same table. */
async function writeFiles(values: Values, file: (format: 'xlsx' | 'csv') => Promise<{ body: Buffer }>): Promise<void> {
  for (const format of ['xlsx', 'csv'] as const) {
    const path = str(values[format]);
    if (!path) continue;
    writeFileSync(path, (await file(format)).body);
    console.log(`已写入 ${path}`);
  }
}

/** Text columns lined up in a terminal, a Chinese character two columns wide; the numbers right-aligned. */
function table(rows: string[][]): string[] {
  const width = (s: string) => [...s].reduce((w, c) => w + ((c.codePointAt(0) ?? 0) > 0x2e7f ? 2 : 1), 0);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  return rows.map((r) =>
    r
      .map((cell, i) =>
        i === 0 ? cell + ' '.repeat(widths[0]! - width(cell)) : ' '.repeat(widths[i]! - width(cell)) + cell,
      )
      .join('  '),
  );
}

const PROGRAM = 'npm run admin -- [--aws]';
const COMMON = [
  ['--aws', '操作已部署的系统（从环境变量读取 TABLE_NAME、COUNTY_ID 等），可写在任意位置'],
  ['-h, --help', '显示帮助'],
];
const synopsis = (name: string) => {
  const c = COMMANDS[name]!;
  const options = Object.entries(c.options ?? {}).map(([key, o]) => `[--${key}${o.value ? ` ${o.value}` : ''}]`);
  return [name, ...(c.args ?? []), ...options].join(' ');
};
const listing = (rows: string[][]) => rows.map(([left = '', right = '']) => `  ${left.padEnd(24)} ${right}`.trimEnd());

/** The whole CLI's usage, or a group's (`roster`). */
function overview(group?: string): string {
  const names = Object.keys(COMMANDS).filter((n) => !group || n.startsWith(`${group} `));
  const commands = names.flatMap((n) => {
    const s = synopsis(n);
    return s.length > 24 ? [[s], ['', COMMANDS[n]!.summary]] : [[s, COMMANDS[n]!.summary]];
  });
  return [
    `用法：${PROGRAM} <命令> [参数]`,
    '命令：',
    ...listing(commands),
    '选项：',
    ...listing(COMMON),
    '',
    `每个命令的说明：${PROGRAM} <命令> --help`,
  ].join('\n');
}

function usage(name: string): string {
  const c = COMMANDS[name]!;
  const options = Object.entries(c.options ?? {}).map(([key, o]) => [
    `--${key}${o.value ? ` ${o.value}` : ''}`,
    o.help,
  ]);
  return [
    `用法：${PROGRAM} ${synopsis(name)}`,
    `  ${c.summary}`,
    ...(c.details ?? []).map((d) => `  ${d}`),
    '选项：',
    ...listing([...options, ...COMMON]),
  ].join('\n');
}

/** A command's arguments: with parseArgs' tokens, each mistake is named in Chinese (strict mode words it in English). */
function parse(c: Command, argv: string[]): { help: boolean; error?: string; args: string[]; values: Values } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [key, o] of Object.entries(c.options ?? {})) options[key] = { type: o.type };
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const wanted = c.args ?? [];
  const error =
    tokens
      .map((t) => {
        if (t.kind !== 'option') return undefined;
        const o = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
        if (!o) return `未知选项：${t.rawName}`;
        if (o.type === 'string' && !t.value) return `选项 ${t.rawName} 后面缺少值`;
        if (o.type === 'boolean' && t.value !== undefined) return `选项 ${t.rawName} 不带值`;
        return undefined;
      })
      .find(Boolean) ??
    (positionals.length < wanted.length
      ? `缺少参数 ${wanted[positionals.length]}`
      : positionals.length > wanted.length
        ? `多余的参数：${positionals.slice(wanted.length).join(' ')}`
        : undefined);
  return { help: values.help === true, error, args: positionals, values };
}

async function run(argv: string[]): Promise<number> {
  const aws = argv.includes('--aws');
  const rest = argv.filter((a) => a !== '--aws');
  const [first = '', second = ''] = rest;
  const name = [`${first} ${second}`, first].find((n) => Object.hasOwn(COMMANDS, n));
  if (!name) {
    const group = Object.keys(COMMANDS).some((n) => n.startsWith(`${first} `)) ? first : undefined;
    const help = ['--help', '-h'].includes(group ? second : first);
    if (help) console.log(overview(group));
    else {
      const what =
        group && !second
          ? `${group} 后面缺少子命令`
          : first.startsWith('-')
            ? `未知选项：${first}`
            : `未知命令：${[first, second].filter(Boolean).join(' ')}`;
      console.error(first ? `${what}\n\n${overview(group)}` : overview());
    }
    return help ? 0 : 2;
  }
  const command = COMMANDS[name]!;
  const { help, error, args, values } = parse(command, rest.slice(name.split(' ').length));
  if (help) {
    console.log(usage(name));
    return 0;
  }
  if (error) {
    console.error(`${error}\n\n${usage(name)}`);
    return 2;
  }
  if (!aws) {
    const settings = localSettings();
    applyLocalEnv(settings, localSigningKey(settings.dataDir));
  }
  return command.run({ args, values, county: config().countyId });
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error & { code?: string; path?: string };
    if (e?.code === 'ECONNREFUSED' || e?.name === 'TimeoutError') {
      console.error(
        '无法连接数据库：本地使用请先运行 npm start（或检查 DDB_PORT）；部署环境请加 --aws 并设置环境变量。',
      );
    } else if (e?.code === 'ENOENT' || e?.code === 'EISDIR' || e?.code === 'EACCES') {
      console.error(`无法读写文件：${e.path}（${{ ENOENT: '不存在', EISDIR: '是目录', EACCES: '没有权限' }[e.code]}）`);
    } else {
      console.error(e instanceof Error ? e.message : String(err));
    }
    process.exit(1);
  },
);
