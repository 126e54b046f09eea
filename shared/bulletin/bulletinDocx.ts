// The 月通报 as a Word .docx for the 月例会, laid out as a 公文 (A4 and its margins, 小标宋 title, 仿宋 body, 黑体
// headings, page numbers) so the 信息科 can print it or edit it before the meeting. Rendered from the frozen Bulletin
// alone, in the same words as the email. Loaded as a module of its own (LAZY_MODULES), so it imports only docx.
import {
  AlignmentType,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import { formatShanghaiDate } from '../core/clock';
import { adoptedTotal, type Bulletin, levelsText, researchHeading, researchLines } from './bulletin';
import { rankChange } from './bulletinSheet';

const TITLE_FONT = '方正小标宋简体';
const HEADING_FONT = '黑体';
const BODY_FONT = '仿宋_GB2312';

// Sizes in half-points: 二号 22pt, 三号 16pt, 四号 14pt, 小四 12pt.
const TITLE_SIZE = 44;
const BODY_SIZE = 32;
const FOOTER_SIZE = 28;
const TABLE_SIZE = 24;

const cm = (n: number) => Math.round((n / 2.54) * 1440);
/** 公文's 28.95 pt lines (22 to a page); exact, so a 小标宋 line does not push the grid. */
const LINE = { line: 579, lineRule: LineRuleType.EXACT };

// Word finds a missing font by its fontTable entry: the alternative names and the GB2312 charset send it to a font
// every Chinese Windows has (仿宋_GB2312 is 仿宋 on Windows 10 and later). docx writes an empty table of its own.
const FONT_TABLE = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${[
  [TITLE_FONT, '宋体', 'roman'],
  [HEADING_FONT, 'SimHei', 'modern'],
  [BODY_FONT, '仿宋', 'modern'],
]
  .map(
    ([name, alt, family]) =>
      `<w:font w:name="${name}"><w:altName w:val="${alt}"/><w:charset w:val="86"/><w:family w:val="${family}"/><w:pitch w:val="variable"/></w:font>`,
  )
  .join('')}</w:fonts>`;

/**
 * Every text goes through here (in `run`). Names and titles come from users, and XML 1.0 allows neither C0 controls
 * (but tab and newline) nor U+FFFE/U+FFFF: one would make Word refuse the whole file. docx 9 drops the C0 ones
 * itself, not the others, and nothing promises it will keep doing so.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const clean = (text: string) => text.replace(/[\u0000-\u0008\u000B-\u001F\u007F\uFFFE\uFFFF]/g, '');

const font = (name: string) => ({ ascii: name, hAnsi: name, eastAsia: name, cs: name });

const run = (text: string, name = BODY_FONT, size = BODY_SIZE) =>
  new TextRun({ text: clean(text), font: font(name), size });

/** A body paragraph: 仿宋 三号, first line indented two characters. */
const para = (text: string) => new Paragraph({ spacing: LINE, indent: { firstLine: 2 * 320 }, children: [run(text)] });

/** A first-level heading (一、…): 黑体, indented like the body, in the outline so Word's navigation pane shows it. */
const heading = (text: string) =>
  new Paragraph({
    spacing: LINE,
    indent: { firstLine: 2 * 320 },
    outlineLevel: 0,
    keepNext: true,
    children: [run(text, HEADING_FONT)],
  });

const centered = (text: string, name = BODY_FONT, size = BODY_SIZE) =>
  new Paragraph({ spacing: LINE, alignment: AlignmentType.CENTER, children: [run(text, name, size)] });

/** `2026年11月1日`, the Asia/Shanghai day of an instant. */
const chineseDate = (iso: string): string => formatShanghaiDate(iso);

/** `2026-12-15` as `2026年12月15日`; anything else as it is. */
const chineseDay = (day: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : day;
};

const levels = levelsText;

const names = (list: string[]) => (list.length ? list.join('、') : '无');

function summary(b: Bulletin): string[] {
  const m = b.summary.month;
  const y = b.summary.year;
  const mo = Number(b.month.slice(5, 7));
  const issues = b.summary.issues.length ? `（第 ${b.summary.issues.join('、')} 期）` : '';
  const research = b.target.monthlyResearch;
  return [
    `${mo}月全县报送信息和调研文稿 ${m.sent} 篇，编入《组工专报》${m.accepted} 篇${issues}，被上级采用 ${adoptedTotal(m.adopted)} 篇次（${levels(m)}），获领导批示 ${m.instructions} 次，积分 ${m.points} 分。`,
    `1—${mo}月累计报送 ${y.sent} 篇，编入《组工专报》${y.accepted} 篇，被上级采用 ${adoptedTotal(y.adopted)} 篇次（${levels(y)}），获领导批示 ${y.instructions} 次，积分 ${y.points} 分。`,
    `全年目标 ${b.target.yearly} 篇，按均衡进度到本月应报 ${b.target.dueByNow} 篇，实报 ${y.sent} 篇。按目前进度，全年预计 ${b.target.projected} 篇，完成目标 ${b.target.percent}%。`,
    `本月调研文稿 ${m.research} 篇，月度目标 ${research} 篇${m.research >= research ? '，已完成' : `，差 ${research - m.research} 篇`}。`,
  ];
}

// Column widths in twips, summing to the text width (21 − 2.8 − 2.6 = 15.6 cm); the unit's name takes the rest.
const COLUMNS: [string, number][] = [
  ['排名', 700],
  ['单位', 2700],
  ['本月报送', 740],
  ['本月采用', 740],
  ['本月上级采用', 900],
  ['本月积分', 740],
  ['累计报送', 740],
  ['累计积分', 740],
  ['名次变化', 844],
];

const cell = (text: string, width: number, header: boolean, left = false) =>
  new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    margins: { left: 60, right: 60 },
    children: [
      new Paragraph({
        alignment: left ? AlignmentType.LEFT : AlignmentType.CENTER,
        children: [run(text, header ? HEADING_FONT : BODY_FONT, TABLE_SIZE)],
      }),
    ],
  });

function unitTable(b: Bulletin): Table {
  const header = new TableRow({
    tableHeader: true, // repeated at the top of every page the table runs onto
    cantSplit: true,
    children: COLUMNS.map(([title, width]) => cell(title, width, true)),
  });
  const rows = b.units.map((r) => {
    const values = [
      String(r.yearRank),
      r.name,
      String(r.month.sent),
      String(r.month.accepted),
      String(adoptedTotal(r.month.adopted)),
      String(r.month.points),
      String(r.year.sent),
      String(r.year.points),
      rankChange(r),
    ];
    return new TableRow({
      cantSplit: true,
      children: values.map((v, i) => cell(v, COLUMNS[i]![1], false, i === 1)),
    });
  });
  return new Table({
    width: { size: COLUMNS.reduce((s, [, w]) => s + w, 0), type: WidthType.DXA },
    columnWidths: COLUMNS.map(([, w]) => w),
    alignment: AlignmentType.CENTER,
    rows: [header, ...rows],
  });
}

function topics(b: Bulletin): string[] {
  const open = b.topics.open.map((t) => {
    const answers = t.responses.length
      ? t.responses.map((r) => `${r.unitName} ${r.pieces} 篇`).join('、')
      : '尚无单位回应';
    const waiting = t.unanswered ? `；${t.unanswered} 个单位尚未回应` : '';
    return `“${t.title}”（${chineseDay(t.due)}截止，面向${t.audience}）：${answers}${waiting}。`;
  });
  const next = b.topics.dueNext.length
    ? `下月截止的点题：${b.topics.dueNext.map((t) => `“${t.title}”（${chineseDay(t.due)}）`).join('、')}。`
    : '下月没有截止的点题。';
  return [...(open.length ? open : ['本月没有征集中的点题。']), next];
}

function health(b: Bulletin): string {
  const h = b.health;
  const oldest = h.oldestReceipt ? `（回执号 ${h.oldestReceipt}）` : '';
  const waiting = h.waiting
    ? `目前待审核稿件 ${h.waiting} 篇，等待最久的一篇${oldest}已等待 ${h.oldestWaitDays ?? 0} 天`
    : '目前没有待审核的稿件';
  const median = h.medianDecisionDays !== undefined ? `，从报送到审核结果的中位时间 ${h.medianDecisionDays} 天` : '';
  return `${waiting}；本月审核 ${h.decisions} 篇${median}。`;
}

/** The 通报 as a .docx file. */
export async function bulletinDocx(b: Bulletin, issuer: string): Promise<Uint8Array> {
  const intro = `现将${b.title.replace('通报', '情况')}通报如下${b.provisional ? '（本月尚未结束，以下为截至目前的数据）' : ''}。`;
  const children = [
    centered(b.title, TITLE_FONT, TITLE_SIZE),
    centered(`${issuer}　　${chineseDate(b.computedAt)}`),
    new Paragraph({ spacing: LINE, children: [] }),
    para(intro),
    heading('一、总体情况'),
    ...summary(b).map(para),
    heading('二、各单位报送情况'),
    ...(b.units.length
      ? [
          unitTable(b),
          para('按累计积分排名，积分相同名次相同；本月采用为编入《组工专报》的篇数，名次变化为累计名次较上月的升降。'),
        ]
      : [para('本月没有单位报送数据。')]),
    heading('三、本月未报送单位'),
    para(`本月未报送的单位（${b.silent.length} 个）：${names(b.silent)}。`),
    para(
      `累计报送低于全年目标进度份额（到本月每单位 ${b.target.unitShareByNow} 篇）的单位（${b.belowShare.length} 个）：${names(b.belowShare)}。`,
    ),
    heading('四、点题'),
    ...topics(b).map(para),
    heading('五、审核情况'),
    para(health(b)),
    ...(b.research ? [heading(researchHeading(b)), ...researchLines(b).map(para)] : []),
  ];
  const doc = new Document({
    title: clean(b.title),
    creator: clean(issuer),
    styles: { default: { document: { run: { font: font(BODY_FONT), size: BODY_SIZE } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: 11906, height: 16838 }, // A4
            margin: { top: cm(3.7), bottom: cm(3.5), left: cm(2.8), right: cm(2.6), footer: cm(2.5) },
          },
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: font('宋体'), size: FOOTER_SIZE }),
                ],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return Packer.pack(doc, 'uint8array', false, [{ path: 'word/fontTable.xml', data: FONT_TABLE }]);
}
