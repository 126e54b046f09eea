// The desk's 名单 over real HTTP: an editor uploads the roster as an .xlsx, a GBK CSV or a UTF-8 CSV with a BOM
// through the multipart form; a bad file is refused with every problem listed and nothing written; 作废链接 stops a
// person's links, ends their desk session and mails a fresh link; 停用 stops them, their email and their desk session,
// 启用 brings links and email back (not a desk session begun before: that takes a new sign-in), and their pieces stay.
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { handler as sweep } from '../../../functions/sweeper';
import { setClock } from '../../../shared/core/clock';
import { config } from '../../../shared/core/config';
import { importRoster } from '../../../shared/roster/importRoster';
import { listRoster } from '../../../shared/roster/people';
import { xlsxOf } from '../../../shared/sheets/write';
import { personIdOf } from '../../../shared/store/keys';
import { LONG_BODY, linkIn, startTestCounty, type TestCounty } from '../../support/harness';
import {
  DESK_NEW_LINK,
  type DeskSession,
  eventsOf,
  form,
  INFORMANT_WELCOME,
  jsonPost,
  signIn,
  signInLinkOf,
  signInWith,
  sleep,
  submitKeyOf,
  submitOver,
  tableSnapshot,
  wantsJson,
} from './deskSupport';

let county: TestCounty;
let editorDesk: DeskSession;
/** 2026-06-15 10:00 in Asia/Shanghai. */
const T0 = new Date('2026-06-15T02:00:00Z');
const HEADER = '单位,姓名,邮箱,手机,角色';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const address = (name: string) => `${name}@${county.domain}`;
const url = (path: string) => `${county.baseUrl}${path}`;
const personOf = (name: string) => personIdOf(config().countyId, address(name));
const roster = () => listRoster(config().countyId);

beforeAll(async () => {
  setClock(T0);
  county = await startTestCounty();
  const d = county.domain;
  const imported = await importRoster(
    [
      HEADER,
      `县委办公室,陈晓明,chen@${d},13900000011,信息员`,
      `城关镇党委,张伟,zhang@${d},,信息员`,
      `县委组织部信息科,王编辑,editor@${d},,编辑`,
      `县委组织部信息科,李编辑,editor2@${d},,编辑`,
      `县委组织部,赵部长,leader@${d},,领导`,
    ].join('\n'),
  );
  expect(imported.ok).toBe(true);
  editorDesk = await signIn(county, address('editor'));
});
afterAll(async () => {
  setClock(undefined);
  await county.close();
});

/** Posts a file as the roster page's form does (multipart/form-data, field `file`). */
function upload(bytes: Uint8Array, filename: string, type: string, accept = 'text/html'): Promise<Response> {
  const body = new FormData();
  body.append('file', new Blob([bytes], { type }), filename);
  return editorDesk.fetch(`${editorDesk}/roster`, { method: 'POST', body, headers: { accept } });
}

const csvBytes = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

describe('uploading a roster file', () => {
  it('imports an .xlsx made in Excel: the people are added and welcomed', async () => {
    const d = county.domain;
    const sheet = await xlsxOf({
      name: '名单',
      columns: ['单位', '姓名', '邮箱', '手机', '角色'].map((header) => ({ header, width: 16 })),
      rows: [
        ['县乡村振兴局', '刘芳', `liufang@${d}`, '13900000031', '信息员'],
        ['县委组织部信息科', '孙编辑', `sun@${d}`, null, '编辑'],
      ],
    });

    const res = await upload(sheet, '名单.xlsx', XLSX_TYPE);

    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('导入完成：单位 2 个；新增 2 人，更新 0 人，未变 0 人；');
    const people = (await roster()).people;
    expect(people.find((p) => p.email === address('liufang'))).toMatchObject({
      name: '刘芳',
      role: 'informant',
      phone: '13900000031',
    });
    expect(people.find((p) => p.email === address('sun'))).toMatchObject({ name: '孙编辑', role: 'editor' });
    // The upload leaves the welcome emails to the sweeper's next pass.
    await sweep();
    const [welcome] = await county.waitForMails(address('liufang'), 1, INFORMANT_WELCOME);
    expect(welcome?.body.text).toContain('县乡村振兴局的信息员');
    expect((await fetch(linkIn(welcome))).status).toBe(200);
    const sun = await signIn(county, address('sun'));
    expect((await sun.fetch('/desk')).status).toBe(200);
  });

  it('imports a CSV that Chinese Excel saved in GBK', async () => {
    const bytes = iconv.encode(
      [HEADER, `红旗乡党委,周强,zhou@${county.domain},13900000023,信息员`].join('\r\n'),
      'gbk',
    );
    expect(bytes.includes(Buffer.from('红旗乡'))).toBe(false);

    const res = await upload(bytes, '名单.csv', 'text/csv', 'application/json');

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ added: 1, welcomed: 1 });
    const zhou = (await roster()).people.find((p) => p.email === address('zhou'));
    expect(zhou).toMatchObject({ name: '周强', role: 'informant' });
    const unit = (await roster()).units.find((u) => u.unitId === zhou?.unitId);
    expect(unit).toMatchObject({ name: '红旗乡党委', kind: 'township' });
    await sweep();
    const [welcome] = await county.waitForMails(address('zhou'), 1, INFORMANT_WELCOME);
    expect(welcome?.body.text).toContain('周强同志');
  });

  it('imports a UTF-8 CSV with a byte-order mark', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      csvBytes([HEADER, `县委宣传部,吴敏,wumin@${county.domain},,信息员`]),
    ]);

    const res = await upload(bytes, 'roster.csv', 'text/csv', 'application/json');

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ added: 1, welcomed: 1 });
    expect((await roster()).people.find((p) => p.email === address('wumin'))).toMatchObject({ name: '吴敏' });
    await sweep();
    await county.waitForMails(address('wumin'), 1, INFORMANT_WELCOME);
  });
});

describe('uploading a bad file', () => {
  const d = () => county.domain;
  const PNG = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
    Buffer.alloc(200, 7),
  ]);
  const docx = () =>
    Buffer.from(
      zipSync({
        '[Content_Types].xml': Buffer.from('<?xml version="1.0"?><Types/>'),
        'word/document.xml': Buffer.from('<?xml version="1.0"?><w:document><w:body>名单</w:body></w:document>'),
      }),
    );
  const garbledHeader = iconv.decode(Buffer.from(HEADER, 'utf8'), 'gbk');
  const cases: [string, () => Uint8Array, string, string[]][] = [
    ['a PNG picture', () => PNG, 'photo.png', ['不是表格文件（可能是图片、PDF 或其他文件）']],
    [
      'a Word document (a zip, but no workbook)',
      docx,
      '名单.docx',
      ['不是 Excel 表格文件（可能是 Word 文档或其他压缩包）'],
    ],
    ['an empty file', () => Buffer.alloc(0), 'empty.csv', ['上传的文件是空的，请选择名单文件。']],
    ['a sheet with only its header', () => csvBytes([HEADER]), 'header.csv', ['名单中没有人员']],
    [
      'a sheet with the wrong headers',
      () => csvBytes(['部门,人员,电话', `县委办公室,陈晓明,13900000011`]),
      'wrong.csv',
      ['第 1 行：表头缺少「姓名」「邮箱」列'],
    ],
    [
      'a GBK file whose headers went through the wrong encoding',
      () => iconv.encode([garbledHeader, `县委办公室,钱多,qian@${d()},,信息员`].join('\r\n'), 'gbk'),
      'mojibake.csv',
      ['表头无法识别，可能是文件编码有误（乱码）'],
    ],
    [
      'a roster with two bad rows among good ones',
      () =>
        csvBytes([
          HEADER,
          `县委办公室,孔明,kongming@${d()},,信息员`,
          '县委办公室,错邮箱,not-an-email,,信息员',
          `县委办公室,孟子,mengzi@${d()},,信息员`,
          `县委办公室,荀子,xunzi@${d()},,主任`,
        ]),
      'two-bad.csv',
      ['名单有 2 处错误，未导入任何内容。', '第 3 行：邮箱格式不正确（not-an-email）', '第 5 行：角色无法识别（主任）'],
    ],
  ];

  it.each(cases)(
    'refuses %s with 400, says why in Chinese, and writes and sends nothing',
    async (_what, bytes, name, said) => {
      const rosterBefore = await roster();
      const tableBefore = await tableSnapshot();
      const mailsBefore = (await county.mails()).length;

      const res = await upload(bytes(), name, 'application/octet-stream');

      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain('<html lang="zh-CN">');
      for (const text of said) expect(page).toContain(text);
      expect(page).toContain('上传并导入');
      expect(await roster()).toEqual(rosterBefore);
      expect(await tableSnapshot()).toEqual(tableBefore);
      expect((await county.mails()).length).toBe(mailsBefore);
    },
  );

  it('lists every bad row by its line for a JSON client', async () => {
    const res = await upload(
      csvBytes([
        HEADER,
        '县委办公室,错邮箱,not-an-email,,信息员',
        `县委办公室,孟子,mengzi@${county.domain},,信息员`,
        `,无单位,nounit@${county.domain},,信息员`,
      ]),
      'bad.csv',
      'text/csv',
      'application/json',
    );

    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { line: number; message: string }[] };
    expect(errors.map((e) => e.line)).toEqual([2, 4]);
    expect(errors[1]?.message).toBe('第 4 行：信息员必须填写单位');
  });

  it('refuses a file over 1 MB with a Chinese 413 page, unread', async () => {
    const rosterBefore = await roster();
    const row = `县委办公室,某某,someone@${county.domain},,信息员`;
    const big = csvBytes([HEADER, ...Array.from({ length: Math.ceil((1.2 * 1024 * 1024) / row.length) }, () => row)]);
    expect(big.length).toBeGreaterThan(1024 * 1024);

    const res = await upload(big, 'big.csv', 'text/csv');

    expect(res.status).toBe(413);
    const page = await res.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('内容过大');
    expect(page).toContain('上限 1024 KB');
    expect(await roster()).toEqual(rosterBefore);
  });

  it('refuses a form without a file with 400', async () => {
    const res = await editorDesk.fetch(`${editorDesk}/roster`, { method: 'POST', body: new FormData() });

    expect(res.status).toBe(400);
    expect(await res.text()).toContain('请选择要上传的名单文件（.xlsx 或 CSV）。');
  });
});

describe('作废链接 on the roster page', () => {
  it("stops an informant's old link at once and mails a new one that works", async () => {
    const oldKey = await submitKeyOf(county, address('chen'));
    expect((await fetch(url(`/submit?k=${encodeURIComponent(oldKey)}`))).status).toBe(200);

    const res = await editorDesk.fetch(`${editorDesk}/roster/people/${personOf('chen')}`, form({ action: 'revoke' }));

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已作废 陈晓明 的全部旧链接（现为第 2 版）');
    expect((await fetch(url(`/submit?k=${encodeURIComponent(oldKey)}`))).status).toBe(403);
    await sweep();
    const [fresh] = await county.waitForMails(address('chen'), 1, /^您的报送链接已更新（旧链接已失效）$/);
    const opened = await fetch(linkIn(fresh));
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('陈晓明');
  });

  it("ends a leader's desk session at once, stops their old sign-in link, and mails a new one that signs in", async () => {
    const oldLink = await signInLinkOf(county, address('leader'));
    const leader = await signInWith(county.baseUrl, oldLink);
    expect((await leader.fetch('/desk')).status).toBe(200);

    const res = await editorDesk.fetch(`${editorDesk}/roster/people/${personOf('leader')}`, form({ action: 'revoke' }));

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已作废 赵部长 的全部旧链接（现为第 2 版）');
    const ended = await leader.fetch('/desk/pieces');
    expect(ended.status).toBe(401);
    expect(await ended.text()).toContain('您的工作台登录已结束');
    const old = await fetch(oldLink);
    expect(old.status).toBe(403);
    expect(await old.text()).toContain('把新的登录链接发到我的邮箱');
    const pressed = await fetch(url(new URL(oldLink).pathname), form());
    expect(pressed.status).toBe(403);
    expect(pressed.headers.getSetCookie()).toEqual([]);
    await sweep();
    const newLink = await signInLinkOf(county, address('leader'), DESK_NEW_LINK);
    expect(newLink).not.toBe(oldLink);
    const signedIn = await signInWith(county.baseUrl, newLink);
    const opened = await signedIn.fetch('/desk');
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('赵部长（领导，只能查看）');
  });

  it('refuses an action it does not know with 400, and a person not in the roster with 404', async () => {
    const unknownAction = await editorDesk.fetch(
      `${editorDesk}/roster/people/${personOf('zhang')}`,
      form({ action: 'delete' }),
    );
    const nobody = await editorDesk.fetch(`${editorDesk}/roster/people/0000000000000000`, form({ action: 'revoke' }));

    expect(unknownAction.status).toBe(400);
    expect(nobody.status).toBe(404);
  });
});

describe('停用 and 启用 on the roster page', () => {
  let zhangKey = '';
  let editor2Desk: DeskSession;
  let before = '';

  beforeAll(async () => {
    zhangKey = await submitKeyOf(county, address('zhang'));
    editor2Desk = await signIn(county, address('editor2'));
    before = await submitOver(county, zhangKey, '城关镇停用前报送的稿件');
  });

  const reviewRequestsTo = async (who: string, receipt: string) =>
    (await county.mails(address(who))).filter(
      (m) => m.subject.startsWith('【待审核】') && (m.body.text?.includes(`回执号：${receipt}`) ?? false),
    );

  it('stops an informant: their links answer 403, a decision mails them nothing, and their piece stays counted', async () => {
    const [ack] = await county.waitForMails(address('zhang'), 1, /^已收到您的稿件/);
    const mine = linkIn(ack, '/mine');

    const res = await editorDesk.fetch(
      `${editorDesk}/roster/people/${personOf('zhang')}`,
      form({ action: 'deactivate' }),
    );

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已停用 张伟');
    for (const link of [url(`/submit?k=${encodeURIComponent(zhangKey)}`), mine]) {
      const stopped = await fetch(link);
      expect(stopped.status).toBe(403);
      expect(await stopped.text()).toContain('此链接已停用');
    }
    const submitted = await fetch(
      url('/submissions'),
      jsonPost({ k: zhangKey, kind: 'info', title: '停用后', body: LONG_BODY }),
    );
    expect(submitted.status).toBe(403);
    const decided = await editorDesk.fetch(
      `${editorDesk}/pieces/${before}`,
      form({ decision: 'return', comment: '请补充。', revision: '1' }),
    );
    expect(decided.status).toBe(200);
    await sleep(300);
    expect((await county.mails(address('zhang'))).filter((m) => m.subject.startsWith('您的稿件'))).toEqual([]);
    const figures = (await (await editorDesk.fetch(`${editorDesk}/figures?month=2026-06`, wantsJson)).json()) as {
      units: { name: string; month: { sent: number } }[];
    };
    expect(figures.units.find((u) => u.name === '城关镇党委')?.month.sent).toBe(1);
    const pieces = (await (await editorDesk.fetch(`${editorDesk}/pieces?month=2026-06`, wantsJson)).json()) as {
      rows: { receipt: string }[];
    };
    expect(pieces.rows.map((r) => r.receipt)).toContain(before);
    expect(await (await editorDesk.fetch(`${editorDesk}/roster`)).text()).toMatch(
      /<td>张伟<\/td>(?:(?!<\/tr>)[\s\S])*<td>已停用<\/td>/,
    );
  });

  it('brings the informant back with 启用: the same links work again', async () => {
    const [ack] = await county.waitForMails(address('zhang'), 1, /^已收到您的稿件/);

    const res = await editorDesk.fetch(
      `${editorDesk}/roster/people/${personOf('zhang')}`,
      form({ action: 'activate' }),
    );

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已启用 张伟');
    expect((await fetch(url(`/submit?k=${encodeURIComponent(zhangKey)}`))).status).toBe(200);
    expect((await fetch(linkIn(ack, '/mine'))).status).toBe(200);
    await submitOver(county, zhangKey, '城关镇启用后报送的稿件');
  });

  it('stops a revise link too, and 启用 brings it back', async () => {
    const piece = await submitOver(county, zhangKey, '城关镇停用前退回的稿件');
    const returned = await editorDesk.fetch(
      `${editorDesk}/pieces/${piece}`,
      form({ decision: 'return', comment: '请补充数据。', revision: '1' }),
    );
    expect(returned.status).toBe(200);
    const [mail] = await county.waitForMails(address('zhang'), 1, /^您的稿件需要修改：城关镇停用前退回的稿件$/);
    const revise = linkIn(mail, '/revise/');
    const person = `${editorDesk}/roster/people/${personOf('zhang')}`;

    expect((await editorDesk.fetch(person, form({ action: 'deactivate' }))).status).toBe(200);
    const stopped = await fetch(revise);
    expect(stopped.status).toBe(403);
    expect(await stopped.text()).toContain('此链接已停用');

    expect((await editorDesk.fetch(person, form({ action: 'activate' }))).status).toBe(200);
    expect((await fetch(revise)).status).toBe(200);
  });

  it('stops an editor: their desk session and sign-in link answer 403, new pieces send them no review request; 启用 restores the link and the requests, the desk after a new sign-in', async () => {
    const pending = await submitOver(county, zhangKey, '编辑停用之前收到审核邮件的稿件');
    const [request] = await county.waitForMails(address('editor2'), 1, /^【待审核】.*编辑停用之前收到审核邮件的稿件$/);
    const reviewLink = linkIn(request, '/review/');
    const res = await editorDesk.fetch(
      `${editorDesk}/roster/people/${personOf('editor2')}`,
      form({ action: 'deactivate' }),
    );
    expect(res.status).toBe(200);

    const stopped = await editor2Desk.fetch('/desk');
    expect(stopped.status).toBe(403);
    expect(await stopped.text()).toContain('此链接已停用');
    const signinLink = await signInLinkOf(county, address('editor2'));
    const signinPage = await fetch(signinLink);
    expect(signinPage.status).toBe(403);
    expect(await signinPage.text()).toContain('此链接已停用');
    const pressed = await fetch(url(new URL(signinLink).pathname), form());
    expect(pressed.status).toBe(403);
    expect(pressed.headers.getSetCookie()).toEqual([]);
    const tableBefore = await tableSnapshot();
    const decided = await fetch(reviewLink, form({ decision: 'accept' }));
    expect(decided.status).toBe(403);
    expect(await tableSnapshot()).toEqual(tableBefore);
    expect((await fetch(reviewLink)).status).toBe(403);
    expect((await eventsOf(pending)).map((e) => e.type)).toEqual(['submitted']);
    const whileStopped = await submitOver(county, zhangKey, '编辑停用期间报送的稿件');
    await county.waitForMails(address('editor'), 1, /^【待审核】.*编辑停用期间报送的稿件$/);
    await sleep(200);
    expect(await reviewRequestsTo('editor2', whileStopped)).toEqual([]);

    // A minute later (the clock stands still otherwise): 启用, and a sign-in after it.
    setClock(new Date(T0.getTime() + 60_000));
    const back = await editorDesk.fetch(
      `${editorDesk}/roster/people/${personOf('editor2')}`,
      form({ action: 'activate' }),
    );
    expect(back.status).toBe(200);

    // The session begun before 停用 stays ended; the same sign-in link signs in anew.
    const begunBefore = await editor2Desk.fetch('/desk');
    expect(begunBefore.status).toBe(401);
    expect(await begunBefore.text()).toContain('您的工作台登录已结束');
    const again = await signInWith(county.baseUrl, signinLink);
    expect((await again.fetch('/desk')).status).toBe(200);
    expect((await fetch(reviewLink)).status).toBe(200);
    const afterwards = await submitOver(county, zhangKey, '编辑启用之后报送的稿件');
    await county.waitForMails(address('editor2'), 1, /^【待审核】.*编辑启用之后报送的稿件$/);
    expect(await reviewRequestsTo('editor2', afterwards)).toHaveLength(1);
  });

  it('keeps 停用 through a roster upload that lists the person again', async () => {
    await editorDesk.fetch(`${editorDesk}/roster/people/${personOf('zhang')}`, form({ action: 'deactivate' }));

    const res = await upload(
      csvBytes([HEADER, `城关镇党委,张伟,zhang@${county.domain},,信息员`]),
      'again.csv',
      'text/csv',
    );

    expect(res.status).toBe(200);
    expect((await roster()).people.find((p) => p.email === address('zhang'))?.inactive).toBe(true);
    expect((await fetch(url(`/submit?k=${encodeURIComponent(zhangKey)}`))).status).toBe(403);
    await editorDesk.fetch(`${editorDesk}/roster/people/${personOf('zhang')}`, form({ action: 'activate' }));
  });
});
