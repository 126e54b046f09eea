// The operators' commands for the link-signing keys (`npm run admin -- keys …`), registered by scripts/admin.ts:
// list them, and rotate (a new key signs from now on, the older ones verify until a stated date). They write the
// ring where the functions read it: the data dir's file locally, the Secrets Manager secret with --aws. Nothing
// here prints or logs a secret. Only the CLI loads this module, so no function's bundle holds PutSecretValue.
import { renameSync, writeFileSync } from 'node:fs';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Command, Input } from '../core/cli';
import { formatShanghai, isDay, now } from '../core/clock';
import { isRetired, type KeyRing, type Rotation, rotateRing, serializeRing, signerOf } from './keyRing';
import { RING_MAX_AGE_MS, type RingSource, readRing, ringSource, secretsClient } from './signingKey';

/** Old keys verify this long after a rotation unless told otherwise: about a quarter, time to hand out new links. */
export const DEFAULT_RETIRE_DAYS = 90;
const MAX_RETIRE_DAYS = 3650;
const DAY_MS = 86_400_000;
const REFRESH_MINUTES = RING_MAX_AGE_MS / 60_000;

const where = (source: RingSource): string =>
  source.kind === 'file'
    ? `密钥文件 ${source.path}`
    : source.kind === 'secret'
      ? `Secrets Manager 密钥 ${source.secretId}`
      : '环境变量 SIGNING_KEY';

/** What a key does at `at`, in the words `keys list` uses. */
function stateOf(ring: KeyRing, key: KeyRing['keys'][number], at: Date): string {
  if (key === signerOf(ring)) return '签发新链接（当前密钥）';
  if (!key.retiresAt) return '可验证';
  return isRetired(key, at.getTime())
    ? `已停用（${formatShanghai(key.retiresAt)} 起）`
    : `可验证，${formatShanghai(key.retiresAt)} 起停用`;
}

/** `--retire-old-after DAYS` or `--retire-at YYYY-MM-DD` as the instant old keys stop verifying, or what is wrong. */
export function retireDateOf(values: Record<string, unknown>, at: Date): { date: Date } | { error: string } {
  const days = values['retire-old-after'];
  const day = values['retire-at'];
  if (days !== undefined && day !== undefined) return { error: '--retire-old-after 和 --retire-at 只能选用一个' };
  if (typeof day === 'string') {
    if (!isDay(day)) return { error: `日期格式不正确：${day}（应为 2026-12-31 这样的年-月-日）` };
    const date = new Date(`${day}T00:00:00+08:00`);
    if (date.getTime() <= at.getTime()) {
      return { error: `停用日期应在今天之后：${day}（要立即停用旧密钥，请用 --retire-old-after 0）` };
    }
    return { date };
  }
  const raw = typeof days === 'string' ? days : String(DEFAULT_RETIRE_DAYS);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_RETIRE_DAYS) {
    return { error: `--retire-old-after 应为 0 到 ${MAX_RETIRE_DAYS} 之间的整数天数：${raw}` };
  }
  return { date: new Date(at.getTime() + n * DAY_MS) };
}

/** Writes the rotated ring back where it was read; refuses if someone changed the secret since it was read. */
async function writeRing(source: RingSource, ring: KeyRing, versionId: string | undefined): Promise<void> {
  if (source.kind === 'file') {
    // A whole file or the old one: a running `npm start` may read it at any moment.
    const temporary = `${source.path}.${process.pid}.tmp`;
    writeFileSync(temporary, serializeRing(ring), { mode: 0o600 });
    renameSync(temporary, source.path);
    return;
  }
  if (source.kind !== 'secret') throw new Error('The key ring given in SIGNING_KEY cannot be written');
  const client = secretsClient(source.region);
  const latest = await client.send(new GetSecretValueCommand({ SecretId: source.secretId }));
  if (latest.VersionId !== versionId) {
    throw new Error('链接签名密钥刚被他人更改，本次没有写入：请重新运行 keys rotate。');
  }
  await client.send(new PutSecretValueCommand({ SecretId: source.secretId, SecretString: serializeRing(ring) }));
}

function report(rotation: Rotation, source: RingSource, at: Date): void {
  console.log(`已生成新密钥 ${rotation.added.id}（写入${where(source)}）：此后签发的链接都使用它。`);
  const live = rotation.retiring.filter((k) => !isRetired(k, at.getTime()));
  for (const key of rotation.retiring.filter((k) => isRetired(k, at.getTime()))) {
    console.log(`旧密钥 ${key.id} 已停用：它签发的全部链接立即失效，打开时显示“链接无效”。`);
  }
  for (const key of live) {
    console.log(
      `旧密钥 ${key.id} 签发的链接继续有效至 ${formatShanghai(key.retiresAt!)}（北京时间），此后打开时显示“链接无效”。`,
    );
  }
  if (rotation.dropped.length) {
    console.log(`已删除此前已经停用的密钥：${rotation.dropped.map((k) => k.id).join('、')}。`);
  }
  console.log(
    `运行中的服务（npm start 或已部署的函数）最迟 ${REFRESH_MINUTES} 分钟内改用新密钥；在此之前签发的链接仍属旧密钥。`,
  );
  const by = live.length ? `在 ${formatShanghai(live.map((k) => k.retiresAt!).sort()[0]!)} 之前` : '现在';
  console.log(
    `个人报送链接不会过期，旧密钥停用后也随之失效（工作台登录链接、已登录的工作台，以及我的报送、回执、采用登记和通报链接同样如此）：请${by}通知信息员、编辑和领导在首页“把我的链接发到我的邮箱”重新获取，或用 desk-link EMAIL 逐人补发。`,
  );
}

/** They need only the options: a test runs them with just those. */
export const KEY_COMMANDS: Record<string, Command<Pick<Input, 'values'>>> = {
  'keys list': {
    summary: '列出链接签名密钥：编号、创建时间、状态（不显示密钥本身）',
    run: async () => {
      const source = ringSource();
      const { ring } = await readRing(source);
      const at = now();
      console.log(`链接签名密钥（${where(source)}）：`);
      for (const key of ring.keys) {
        const created = key.created ? formatShanghai(key.created) : '（启用密钥编号之前）';
        console.log(`  ${key.id}\t创建于 ${created}\t${stateOf(ring, key, at)}`);
      }
      return 0;
    },
  },
  'keys rotate': {
    summary: '更换链接签名密钥：新密钥签发此后的链接，旧密钥签发的链接到停用日期前仍然有效',
    options: {
      'retire-old-after': {
        type: 'string',
        value: 'DAYS',
        help: `旧密钥再有效多少天（默认 ${DEFAULT_RETIRE_DAYS}；0 为立即停用，用于密钥泄露）`,
      },
      'retire-at': { type: 'string', value: 'YYYY-MM-DD', help: '旧密钥从该日 0 时（北京时间）起停用' },
    },
    details: [
      '旧密钥停用后，它签发的全部链接都显示“链接无效”：个人报送链接不会过期，也随之失效（工作台登录链接和已登录的工作台同样如此），本人可在首页“把我的链接发到我的邮箱”重新获取，或用 desk-link EMAIL 补发。',
      `密钥泄露时用 --retire-old-after 0：旧密钥签发的链接（包括泄露后伪造的）立即失效，运行中的服务最迟 ${REFRESH_MINUTES} 分钟内生效。`,
      '本地改写数据目录中的 signing-keys.json；加 --aws 时写入 Secrets Manager（SIGNING_KEY_SECRET_ARN），需要读取和写入该密钥的权限。同一时间只应有一人运行。',
    ],
    run: async ({ values }) => {
      const at = now();
      const retire = retireDateOf(values, at);
      if ('error' in retire) {
        console.error(retire.error);
        return 2;
      }
      const source = ringSource();
      if (source.kind === 'env') {
        console.error(
          '链接签名密钥由环境变量 SIGNING_KEY 直接给出，无法在此更换：本地请不加 --aws 运行（密钥在数据目录的 signing-keys.json 中），部署环境请设置 SIGNING_KEY_SECRET_ARN。',
        );
        return 1;
      }
      const { ring, versionId } = await readRing(source);
      const rotation = rotateRing(ring, { now: at, retireAt: retire.date });
      await writeRing(source, rotation.ring, versionId);
      report(rotation, source, at);
      return 0;
    },
  },
};
