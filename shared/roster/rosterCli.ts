// The operators' commands for the roster (`npm run admin -- roster …`, `desk-link`), registered by scripts/admin.ts:
// importing the roster from a file, listing it, revoking a person's links, deactivating and activating a person, and
// sending a person their link again.
import { readFileSync } from 'node:fs';
import type { Command } from '../core/cli';
import { NotFoundError } from '../core/errors';
import { personIdOf } from '../store/keys';
import { importRoster } from './importRoster';
import { importDetail } from './importRosterFile';
import { getPerson, listRoster } from './people';
import { requestLink } from './requestLink';
import { revokePerson } from './revokePerson';
import { logAction, OPERATOR } from './rosterEvents';
import { setActive } from './setActive';

const ROLE_LABELS = { informant: '信息员', editor: '编辑', leader: '领导' } as const;
const KIND_LABELS = { department: '部门', township: '乡镇' } as const;

export const ROSTER_COMMANDS: Record<string, Command> = {
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
      const desk = s.deskLinks ? `另向编辑、领导发送工作台登录链接 ${s.deskLinks} 封。` : '';
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
    details: [
      '丢了手机、链接被转发时使用：旧链接立即失效。信息员收到新的报送链接，编辑、领导收到新的工作台登录链接，已登录的工作台随即退出。',
    ],
    run: async ({ args: [email = ''] }) => {
      const { person, keyVersion, emailed } = await revokePerson(email);
      const fresh = person.role === 'informant' ? '新链接' : '新的工作台登录链接';
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
    summary: '把此人的链接重新发到其邮箱（编辑、领导：工作台登录链接；信息员：报送链接）',
    args: ['EMAIL'],
    details: ['与首页“把我的链接发到我的邮箱”相同：同一邮箱 10 分钟内只发一封。链接只发到名单中的邮箱，不在此显示。'],
    run: async ({ args: [email = ''], county, sweep }) => {
      const person = await getPerson(county, personIdOf(county, email), { consistent: true });
      if (!person) throw new NotFoundError(`名单中没有这个邮箱：${email}`);
      if (person.inactive) {
        console.error(
          `${person.name}（${person.email}）已停用，不发送链接；请先运行 roster activate ${person.email}。`,
        );
        return 1;
      }
      await requestLink(person.email);
      const r = await sweep();
      const link = person.role === 'informant' ? '个人报送链接' : '工作台登录链接';
      console.log(`已把${person.name}的${link}发到 ${person.email}（10 分钟内重复申请不再发送）。`);
      console.log(`已发送 ${r.sent} 封，失败 ${r.failed} 封，等待重试 ${r.pending} 封。`);
      return 0;
    },
  },
};
