import { strFromU8, unzipSync } from 'fflate';
import type { Bulletin, Tally, UnitRow } from '../../../shared/bulletin/bulletin';
import { bulletinDocx } from '../../../shared/bulletin/bulletinDocx';

const tally = (t: Partial<Tally> = {}): Tally => ({
  sent: 0,
  research: 0,
  accepted: 0,
  adopted: { prefecture: 0, region: 0, central: 0 },
  instructions: 0,
  points: 0,
  ...t,
});

const unit = (r: Partial<UnitRow> & Pick<UnitRow, 'unitId' | 'name' | 'yearRank'>): UnitRow => ({
  month: tally(),
  year: tally(),
  monthRank: r.yearRank,
  silent: false,
  belowShare: false,
  ...r,
});

const DANGEROUS = '县教育局<script>&"';

/** October 2026, computed just after midnight of 1 November in Shanghai (still 31 October in UTC). */
function october(): Bulletin {
  return {
    month: '2026-10',
    year: 2026,
    title: '2026年10月组工信息工作通报',
    computedAt: '2026-10-31T16:30:00.000Z',
    provisional: false,
    summary: {
      month: tally({
        sent: 21,
        research: 3,
        accepted: 7,
        adopted: { prefecture: 2, region: 1, central: 0 },
        instructions: 1,
        points: 40,
      }),
      year: tally({
        sent: 180,
        research: 30,
        accepted: 60,
        adopted: { prefecture: 12, region: 4, central: 1 },
        instructions: 5,
        points: 420,
      }),
      issues: [18, 19],
    },
    target: { yearly: 230, monthlyResearch: 4, projected: 216, percent: 94, dueByNow: 192, unitShareByNow: 6 },
    perMonth: [],
    units: [
      unit({
        unitId: 'u1',
        name: '城关镇党委',
        yearRank: 1,
        lastYearRank: 2,
        month: tally({ sent: 6, accepted: 3, adopted: { prefecture: 1, region: 1, central: 0 }, points: 18 }),
        year: tally({ sent: 40, points: 120 }),
      }),
      unit({
        unitId: 'u2',
        name: DANGEROUS,
        yearRank: 2,
        lastYearRank: 1,
        month: tally({ sent: 4, accepted: 2, adopted: { prefecture: 1, region: 0, central: 0 }, points: 12 }),
        year: tally({ sent: 35, points: 100 }),
      }),
      unit({
        unitId: 'u3',
        name: '县卫\u0001健委\uffff',
        yearRank: 3,
        year: tally({ sent: 9, points: 30 }),
        silent: true,
        belowShare: true,
      }),
      unit({ unitId: 'u4', name: '开发区党工委', yearRank: 4, lastYearRank: 4, silent: true, belowShare: true }),
    ],
    silent: ['县卫\u0001健委\uffff', '开发区党工委'],
    belowShare: ['开发区党工委'],
    topics: {
      open: [
        {
          id: 't1',
          title: '基层党建“三化”建设经验',
          due: '2026-10-25',
          audience: '全部单位',
          responses: [{ unitName: '城关镇党委', pieces: 2 }],
          unanswered: 3,
        },
      ],
      dueNext: [
        {
          id: 't2',
          title: '年轻干部培养',
          due: '2026-11-20',
          audience: '3 个单位',
          responses: [],
          unanswered: 3,
        },
      ],
    },
    health: { waiting: 2, oldestWaitDays: 5, oldestReceipt: 'BS-2026-0123', medianDecisionDays: 2, decisions: 19 },
  };
}

/** A month with nothing in it: no units, no silence, no topics, nothing waiting. */
function empty(): Bulletin {
  const b = october();
  return {
    ...b,
    summary: { month: tally(), year: tally(), issues: [] },
    units: [],
    silent: [],
    belowShare: [],
    topics: { open: [], dueNext: [] },
    health: { waiting: 0, decisions: 0 },
  };
}

const decode = (xml: string) =>
  xml
    .replace(/<[^>]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The document's parts, its raw body XML, its paragraphs as text and its table rows as lists of cell texts. */
async function open(b: Bulletin, issuer = '县委组织部信息科') {
  const files = unzipSync(await bulletinDocx(b, issuer));
  const xml = strFromU8(files['word/document.xml']!);
  const textOf = (part: string) => decode((part.match(/<w:t(?:\s[^>]*)?>[^<]*<\/w:t>/g) ?? []).join(''));
  const paragraphs = (xml.match(/<w:p[\s>][\s\S]*?<\/w:p>/g) ?? []).map(textOf);
  const rows = (xml.match(/<w:tr[\s>][\s\S]*?<\/w:tr>/g) ?? []).map((row) =>
    (row.match(/<w:tc>[\s\S]*?<\/w:tc>/g) ?? []).map(textOf),
  );
  return { files, xml, paragraphs, text: paragraphs.join('\n'), rows };
}

describe('bulletinDocx', () => {
  it('makes an A4 page with the margins of a 公文', async () => {
    const { xml } = await open(october());

    const twips = (cm: number) => Math.round((cm / 2.54) * 1440);
    expect(xml).toContain('<w:pgSz w:w="11906" w:h="16838"');
    const margins = xml.match(/<w:pgMar [^>]*>/)?.[0];
    expect(margins).toContain(`w:top="${twips(3.7)}"`);
    expect(margins).toContain(`w:bottom="${twips(3.5)}"`);
    expect(margins).toContain(`w:left="${twips(2.8)}"`);
    expect(margins).toContain(`w:right="${twips(2.6)}"`);
  });

  it('opens with the title in 小标宋 二号, then the issuer and the date of 1 November in Shanghai', async () => {
    const b = october();
    const { xml, paragraphs } = await open(b);

    expect(paragraphs[0]).toBe(b.title);
    expect(paragraphs[1]).toBe('县委组织部信息科　　2026年11月1日');
    const title = xml.match(/<w:p[\s>][\s\S]*?<\/w:p>/)?.[0];
    expect(title).toContain('<w:jc w:val="center"/>');
    expect(title).toContain('w:eastAsia="方正小标宋简体"');
    expect(title).toContain('<w:sz w:val="44"/>');
  });

  it('writes the body in 仿宋_GB2312 三号 under the five headings in 黑体', async () => {
    const { xml, paragraphs } = await open(october());

    const headings = ['一、总体情况', '二、各单位报送情况', '三、本月未报送单位', '四、点题', '五、审核情况'];
    const at = headings.map((h) => paragraphs.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(xml).toMatch(/<w:rFonts [^>]*w:eastAsia="黑体"[^>]*\/><w:sz w:val="32"\/>[\s\S]*?一、总体情况/);
    expect(xml).toContain('w:eastAsia="仿宋_GB2312"');
  });

  it('states the month, the year to date, the issues, the adoptions by level and the pace against the target', async () => {
    const b = october();
    const { text } = await open(b);
    const m = b.summary.month;

    expect(text).toContain(`报送信息和调研文稿 ${m.sent} 篇，编入《组工专报》${m.accepted} 篇（第 18、19 期）`);
    expect(text).toContain('被上级采用 3 篇次（地区 2、自治区 1、中央 0），获领导批示 1 次，积分 40 分');
    expect(text).toContain(`累计报送 ${b.summary.year.sent} 篇`);
    expect(text).toContain(`全年目标 ${b.target.yearly} 篇`);
    expect(text).toContain(`按目前进度，全年预计 ${b.target.projected} 篇，完成目标 ${b.target.percent}%`);
    expect(text).toContain(`本月调研文稿 ${m.research} 篇，月度目标 ${b.target.monthlyResearch} 篇，差 1 篇`);
  });

  it('lists every unit in rank order in a table whose header row repeats on each page', async () => {
    const b = october();
    const { xml, rows } = await open(b);

    expect(rows[0]).toEqual([
      '排名',
      '单位',
      '本月报送',
      '本月采用',
      '本月上级采用',
      '本月积分',
      '累计报送',
      '累计积分',
      '名次变化',
    ]);
    expect(xml.match(/<w:tr[\s>][\s\S]*?<\/w:trPr>/)?.[0]).toContain('<w:tblHeader/>');
    expect(rows.slice(1).map((r) => r[1])).toEqual([
      '城关镇党委',
      DANGEROUS,
      '县卫健委', // the characters XML does not allow dropped
      '开发区党工委',
    ]);
    expect(rows[1]).toEqual(['1', '城关镇党委', '6', '3', '2', '18', '40', '120', '↑1']);
    expect(rows[2]).toEqual(['2', DANGEROUS, '4', '2', '1', '12', '35', '100', '↓1']);
    expect(rows.slice(3).map((r) => r[8])).toEqual(['—', '—']); // new this month; unchanged
  });

  it('names the silent units one by one, and the units below their share', async () => {
    const { paragraphs } = await open(october());

    expect(paragraphs).toContain('本月未报送的单位（2 个）：县卫健委、开发区党工委。');
    expect(paragraphs).toContain('累计报送低于全年目标进度份额（到本月每单位 6 篇）的单位（1 个）：开发区党工委。');
  });

  it('reports the topics with their responses, the topics due next month, and the review health', async () => {
    const { paragraphs } = await open(october());

    expect(paragraphs).toContain(
      '“基层党建“三化”建设经验”（2026年10月25日截止，面向全部单位）：城关镇党委 2 篇；3 个单位尚未回应。',
    );
    expect(paragraphs).toContain('下月截止的点题：“年轻干部培养”（2026年11月20日）。');
    expect(paragraphs).toContain(
      '目前待审核稿件 2 篇，等待最久的一篇（回执号 BS-2026-0123）已等待 5 天；本月审核 19 篇，从报送到审核结果的中位时间 2 天。',
    );
  });

  it('keeps a name with markup as text, escaped in the XML, and leaves no control character in it', async () => {
    const { xml, text } = await open(october());

    expect(xml).toContain('县教育局&lt;script&gt;&amp;');
    expect(xml).not.toContain('<script>');
    expect(text).toContain(DANGEROUS);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });

  it('says 无 and 没有 where a list is empty, and draws no table without units', async () => {
    const { xml, paragraphs } = await open(empty());

    expect(xml).not.toContain('<w:tbl>');
    expect(paragraphs).toContain('本月没有单位报送数据。');
    expect(paragraphs).toContain('本月未报送的单位（0 个）：无。');
    expect(paragraphs).toContain('本月没有征集中的点题。');
    expect(paragraphs).toContain('下月没有截止的点题。');
    expect(paragraphs).toContain('目前没有待审核的稿件；本月审核 0 篇。');
    expect(paragraphs.join('\n')).not.toContain('（第');
  });

  it('declares its Chinese fonts with the ones Word should use where they are missing', async () => {
    const { files } = await open(october());

    const fonts = strFromU8(files['word/fontTable.xml']!);
    expect(fonts).toMatch(/<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"\/>/);
    expect(fonts).toMatch(/<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"\/>/);
  });
});
