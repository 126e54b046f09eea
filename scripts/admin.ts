// Operators' CLI: `npm run admin -- <command>`; `--help` lists the commands, `<command> --help` explains one. The same
// use cases as the functions, against the local stack (default: the ports and data dir of `npm start`) or, with --aws
// (anywhere on the line), against a deployed stack whose settings come from the environment (TABLE_NAME, COUNTY_ID,
// SIGNING_KEY_SECRET_ARN, PUBLIC_URL, SENDER, AWS_REGION + credentials). Each feature's commands (usage, options and
// work) sit beside the feature, `shared/<feature>/…Cli.ts` (the scheduled jobs' in scripts/jobsCli.ts); this file
// only assembles them in COMMANDS, reads arguments with node:util parseArgs, prints the help and runs one. Exit
// codes: 0 done, 1 failed, 2 wrong usage. Nothing here prints a signed link or a secret: links go to people by email.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { applyLocalEnv, localSettings, localSigningKey } from '../local/env';
import { ADOPTION_COMMANDS } from '../shared/adoption/adoptionCli';
import { sweepAll } from '../shared/app/sweep';
import { BULLETIN_COMMANDS } from '../shared/bulletin/bulletinCli';
import type { Command, Values } from '../shared/core/cli';
import { config } from '../shared/core/config';
import { ADOPTION_LIST_COMMANDS, FIGURE_COMMANDS } from '../shared/desk/deskCli';
import { KEY_COMMANDS } from '../shared/links/keysCli';
import { REPORT_COMMANDS } from '../shared/reports/reportsCli';
import { TASK_COMMANDS } from '../shared/research/researchCli';
import { ROSTER_COMMANDS } from '../shared/roster/rosterCli';
import { AWARD_COMMANDS, SCORE_COMMANDS } from '../shared/scores/scoresCli';
import { TOPIC_COMMANDS } from '../shared/topics/topicsCli';
import { JOB_COMMANDS, SCHEDULE_COMMANDS } from './jobsCli';

/** Every command, in the order `--help` lists them. */
const COMMANDS: Record<string, Command> = {
  ...ROSTER_COMMANDS,
  ...JOB_COMMANDS,
  ...REPORT_COMMANDS,
  ...FIGURE_COMMANDS,
  ...ADOPTION_COMMANDS,
  ...ADOPTION_LIST_COMMANDS,
  ...SCORE_COMMANDS,
  ...BULLETIN_COMMANDS,
  ...SCHEDULE_COMMANDS,
  ...TOPIC_COMMANDS,
  ...TASK_COMMANDS,
  ...AWARD_COMMANDS,
  ...KEY_COMMANDS,
};

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
  const county = config().countyId;
  return command.run({ args, values, county, sweep: () => sweepAll(county) });
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
