// Operators' CLI: `npm run admin -- <command>`. The same use cases as the functions, against the local stack
// (default: the ports and data dir of `npm start`) or, with --aws, against a deployed stack whose settings come
// from the environment (TABLE_NAME, COUNTY_ID, SIGNING_KEY_SECRET_ARN, PUBLIC_URL, SENDER, AWS_REGION + credentials).
import { readFileSync } from 'node:fs';
import { applyLocalEnv, localSettings, localSigningKey } from '../local/env';
import { sweepAll } from '../shared/app/sweep';
import { now, shanghai } from '../shared/core/clock';
import { config } from '../shared/core/config';
import { failedEmails } from '../shared/mail/outbox';
import { issueStats } from '../shared/reports/issueStats';
import { sendReminders } from '../shared/review/sendReminders';
import { importRoster } from '../shared/roster/importRoster';
import { listRoster } from '../shared/roster/people';
import { revokePerson } from '../shared/roster/revokePerson';

const USAGE = `用法：npm run admin -- [--aws] <命令>
  roster import FILE.csv   导入或更新名单（UTF-8 CSV，表头：单位,单位类型,姓名,邮箱,手机,角色）
  roster list              列出名单
  roster revoke EMAIL      作废此人的全部链接（信息员、编辑、领导均可）；信息员会收到新的报送链接
  sweep                    立即发送待发邮件
  outbox failed            列出已放弃发送的邮件（地址被拒、多次失败），需人工处理
  remind                   立即提醒编辑审核等待过久的稿件（每篇每天最多一次）
  issues --year 2026       本年度《组工专报》期数和采用稿件数
  --aws                    操作已部署的系统（从环境变量读取 TABLE_NAME、COUNTY_ID 等）`;

const ROLE_LABELS = { informant: '信息员', editor: '编辑', leader: '领导' } as const;
const KIND_LABELS = { department: '部门', township: '乡镇' } as const;

async function run(args: string[]): Promise<number> {
  const aws = args.includes('--aws');
  const [command, sub, arg] = args.filter((a) => a !== '--aws');
  if (!aws) {
    const settings = localSettings();
    applyLocalEnv(settings, localSigningKey(settings.dataDir));
  }
  const county = config().countyId;

  if (command === 'roster' && sub === 'import' && arg) {
    const result = await importRoster(readFileSync(arg));
    if (!result.ok) {
      console.error(`名单有 ${result.errors.length} 处错误，未导入任何内容：`);
      for (const e of result.errors) console.error(`  ${e.message}`);
      return 1;
    }
    const s = result.summary;
    console.log(
      `导入完成：单位 ${s.units} 个；新增 ${s.added} 人，更新 ${s.updated} 人，未变 ${s.unchanged} 人；发送欢迎邮件 ${s.welcomed} 封。`,
    );
    return 0;
  }
  if (command === 'roster' && sub === 'list') {
    const { units, people } = await listRoster(county);
    const unitName = new Map(units.map((u) => [u.unitId, u.name]));
    for (const u of units.sort((a, b) => a.name.localeCompare(b.name, 'zh'))) {
      console.log(`${u.name}（${KIND_LABELS[u.kind]}）`);
      for (const p of people.filter((x) => x.unitId === u.unitId)) {
        console.log(`  ${p.name}\t${ROLE_LABELS[p.role]}\t${p.email}${p.phone ? `\t${p.phone}` : ''}`);
      }
    }
    const unattached = people.filter((p) => !p.unitId || !unitName.has(p.unitId));
    if (unattached.length) console.log('未关联单位');
    for (const p of unattached) console.log(`  ${p.name}\t${ROLE_LABELS[p.role]}\t${p.email}`);
    console.log(`共 ${units.length} 个单位，${people.length} 人。`);
    return 0;
  }
  if (command === 'roster' && sub === 'revoke' && arg) {
    const { person, keyVersion, emailed } = await revokePerson(arg);
    console.log(
      emailed
        ? `已作废 ${person.name} 的旧链接（现为第 ${keyVersion} 版），新链接已发到 ${person.email}。`
        : `已作废 ${person.name} 的全部链接（现为第 ${keyVersion} 版）。旧审核链接的页面上可点击按钮获取新链接。`,
    );
    return 0;
  }
  if (command === 'remind') {
    const r = await sendReminders(county);
    console.log(`已提醒 ${r.reminded} 篇稿件；${r.cleared} 篇已处理，不再提醒。`);
    return 0;
  }
  if (command === 'issues') {
    const yearArg = sub === '--year' ? arg : undefined;
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
  }
  if (command === 'outbox' && sub === 'failed') {
    const failed = await failedEmails(county);
    for (const f of failed) {
      console.log(
        `${f.failedAt}\t${f.to}\t${f.template}\t尝试 ${f.attempts} 次\t${f.lastError}\t${f.key.pk} ${f.key.sk}`,
      );
    }
    console.log(failed.length ? `共 ${failed.length} 封邮件已放弃发送，请核对地址后处理。` : '没有放弃发送的邮件。');
    return 0;
  }
  if (command === 'sweep') {
    const r = await sweepAll(county);
    console.log(`已发送 ${r.sent} 封，失败 ${r.failed} 封，等待重试 ${r.pending} 封。`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error & { code?: string };
    if (e?.code === 'ECONNREFUSED' || e?.name === 'TimeoutError') {
      console.error(
        '无法连接数据库：本地使用请先运行 npm start（或检查 DDB_PORT）；部署环境请加 --aws 并设置环境变量。',
      );
    } else {
      console.error(e instanceof Error ? e.message : String(err));
    }
    process.exit(1);
  },
);
