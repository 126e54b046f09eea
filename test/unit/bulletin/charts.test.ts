// The 通报's charts: figures drawn to scale, the pace line reaching the target at 12月, and markup that is safe
// under the page's CSP (no script, no handler, no style attribute) and well-formed XML, whatever the names.
import fc from 'fast-check';
import { paceChart, pointsBars } from '../../../shared/bulletin/charts';
import type { SafeHtml } from '../../../shared/core/html';

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

/** XML 1.0's Char production. */
const xmlChar = (cp: number): boolean =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  cp >= 0x10000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character data as XML reads it; throws on a raw `<` or an `&` that is no XML entity. */
function decode(raw: string): string {
  if (raw.includes('<')) throw new Error(`raw < in ${raw}`);
  return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare & in ${raw}`);
    const hex = /^#x([0-9a-f]+)$/i.exec(ref);
    if (hex) return String.fromCodePoint(Number.parseInt(hex[1]!, 16));
    if (/^#\d+$/.test(ref)) return String.fromCodePoint(Number(ref.slice(1)));
    const named = ENTITIES[ref];
    if (named === undefined) throw new Error(`not an XML entity: &${ref};`);
    return named;
  });
}

/** A tiny XML reader (elements, quoted attributes, text): enough to prove well-formedness and to read the charts. */
function parseXml(source: string): Element {
  const root: Element = { name: '#document', attrs: {}, children: [], text: '' };
  const open: Element[] = [root];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/y;
  let at = 0;
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    const text = source.slice(at, lt === -1 ? source.length : lt);
    open.at(-1)!.text += decode(text);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(source);
    if (!m) throw new Error(`malformed tag at ${lt}: ${source.slice(lt, lt + 40)}`);
    const [whole, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing) {
      const top = open.pop();
      if (top?.name !== name || open.length === 0) throw new Error(`</${name}> closes <${top?.name}>`);
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (a[1]! in attrs) throw new Error(`attribute ${a[1]} twice`);
        attrs[a[1]!] = decode(a[2]!);
      }
      const element: Element = { name, attrs, children: [], text: '' };
      open.at(-1)!.children.push(element);
      if (!selfClosing) open.push(element);
    }
    at = lt + whole.length;
  }
  if (open.length !== 1) throw new Error(`<${open.at(-1)?.name}> left open`);
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('not one root element');
  return root.children[0]!;
}

function all(e: Element, match: (e: Element) => boolean): Element[] {
  return [...(match(e) ? [e] : []), ...e.children.flatMap((c) => all(c, match))];
}

const num = (e: Element, attr: string): number => Number(e.attrs[attr]);
const titleOf = (e: Element): string => e.children.find((c) => c.name === 'title')?.text ?? '';

/** What every chart must be: one <svg> that draws, runs nothing, loads nothing and needs no inline style. */
function expectSafeSvg(chart: SafeHtml): Element {
  const out = chart.value;
  expect(out).not.toMatch(/NaN|Infinity|undefined/);
  expect(out).not.toMatch(/<script/i);
  expect(out).not.toMatch(/\son[a-z]+\s*=/i);
  expect(out).not.toMatch(/\sstyle\s*=|<style/i);
  expect(out).not.toMatch(/href|url\(|<image|<foreignObject/i);
  expect(Array.from(out).find((c) => !xmlChar(c.codePointAt(0) ?? 0))).toBeUndefined();
  const svg = parseXml(out);
  expect(svg.name).toBe('svg');
  expect(svg.attrs.role).toBe('img');
  expect(svg.attrs.width).toBe('100%');
  expect(svg.attrs.viewBox).toMatch(/^0 0 640 \d+(\.\d)?$/);
  expect(svg.attrs['aria-label']).toBe(titleOf(svg));
  for (const e of all(svg, () => true)) {
    for (const v of Object.values(e.attrs)) expect(v).not.toMatch(/NaN|Infinity/);
  }
  return svg;
}

const months = (sent: number[]) => sent.map((n, i) => ({ month: `2026-${String(i + 1).padStart(2, '0')}`, sent: n }));

describe('the XML check of these tests', () => {
  it('rejects what an XML parser would', () => {
    for (const bad of ['<svg><g></svg>', '<svg>a < b</svg>', '<svg>&nbsp;</svg>', '<svg x=1></svg>', '<a/><b/>']) {
      expect(() => parseXml(bad)).toThrow();
    }
    expect(parseXml('<svg a="&lt;&#39;"><g/>x &amp; y</svg>')).toMatchObject({ attrs: { a: "<'" }, text: 'x & y' });
  });
});

describe('paceChart', () => {
  const sent = [5, 9, 0, 12, 7, 8, 10, 6, 11, 12];

  it('draws the cumulative pieces of each month, to scale', () => {
    const svg = expectSafeSvg(paceChart(months(sent), 230));

    const columns = all(svg, (e) => e.name === 'rect' && e.attrs.class === 'sent');
    const running = sent.map((_, i) => sent.slice(0, i + 1).reduce((a, b) => a + b, 0));
    expect(columns.map(titleOf)).toEqual(running.map((v, i) => `${i + 1}月累计报送 ${v} 篇`));
    const perPiece = num(columns.at(-1)!, 'height') / running.at(-1)!;
    columns.forEach((c, i) => {
      expect(num(c, 'height')).toBeCloseTo(running[i]! * perPiece, 0);
    });
  });

  it('runs the target pace across all twelve months and ends at the yearly target at 12月', () => {
    const svg = expectSafeSvg(paceChart(months(sent), 230));

    const columns = all(svg, (e) => e.name === 'rect' && e.attrs.class === 'sent');
    const last = columns.at(-1)!;
    const baseline = num(last, 'y') + num(last, 'height');
    const perPiece = num(last, 'height') / 80;
    const [line] = all(svg, (e) => e.name === 'polyline' && e.attrs.class === 'target');
    const points = line!.attrs.points!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
    expect(points).toHaveLength(12);
    points.forEach(([, y], i) => {
      expect(Math.abs(baseline - y - (230 * (i + 1) * perPiece) / 12)).toBeLessThan(0.3);
    });
    const december = all(svg, (e) => e.name === 'text' && e.text === '12月')[0]!;
    expect(points[11]![0]).toBe(num(december, 'x'));
  });

  it('labels the months 1月 to 12月, gives a legend, and sums up in Chinese', () => {
    const svg = expectSafeSvg(paceChart(months(sent), 230));

    const texts = all(svg, (e) => e.name === 'text').map((e) => e.text);
    for (let m = 1; m <= 12; m++) expect(texts).toContain(`${m}月`);
    expect(texts).toEqual(expect.arrayContaining(['累计报送', '目标进度', '0']));
    expect(svg.attrs['aria-label']).toBe('截至10月累计报送 80 篇，目标进度 192 篇，全年目标 230 篇');
  });

  it('draws an empty year, an all-zero year and a zero target without NaN', () => {
    const empty = expectSafeSvg(paceChart([], 230));
    expect(empty.attrs['aria-label']).toBe('今年尚无报送，全年目标 230 篇');
    expect(all(empty, (e) => e.attrs.class === 'sent')).toHaveLength(0);

    const zeros = expectSafeSvg(paceChart(months([0, 0, 0]), 0));
    expect(all(zeros, (e) => e.attrs.class === 'sent').map((e) => num(e, 'height'))).toEqual([0, 0, 0]);
    expectSafeSvg(paceChart([], 0));
    expectSafeSvg(paceChart(months([Number.NaN, -3]), Number.NaN));
  });
});

describe('pointsBars', () => {
  const bars = (svg: Element) => all(svg, (e) => e.name === 'rect' && e.attrs.class === 'bar');

  it('draws bars proportional to points, with the value at the end and 0 for none', () => {
    const units = [
      { name: '县委办公室', points: 36 },
      { name: '县政府办公室', points: 18 },
      { name: '县教育局', points: 4.5 },
      { name: '县文旅局', points: 0 },
    ];
    const svg = expectSafeSvg(pointsBars(units));

    const widths = bars(svg).map((b) => num(b, 'width'));
    const full = widths[0]!;
    expect(full).toBeGreaterThan(300);
    units.forEach((u, i) => {
      expect(widths[i]).toBeCloseTo((u.points / 36) * full, 0);
    });
    const texts = all(svg, (e) => e.name === 'text').map((e) => e.text);
    expect(texts).toEqual(['县委办公室', '36', '县政府办公室', '18', '县教育局', '4.5', '县文旅局', '0']);
    expect(svg.attrs['aria-label']).toBe('各单位本年累计积分：共 4 个单位，最高为县委办公室 36 分');
  });

  it('uses the scale it is given, stopping bars beyond it at full length', () => {
    const own = bars(expectSafeSvg(pointsBars([{ name: '甲', points: 40 }])))[0]!;
    const fixed = bars(
      expectSafeSvg(
        pointsBars(
          [
            { name: '甲', points: 10 },
            { name: '乙', points: 90 },
          ],
          { max: 40 },
        ),
      ),
    );

    expect(num(fixed[0]!, 'width')).toBeCloseTo(num(own, 'width') / 4, 0);
    expect(num(fixed[1]!, 'width')).toBe(num(own, 'width'));
  });

  it('grows in height with the units, one row each, every bar inside the picture', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `单位${i + 1}`, points: n - i }));
    const height = (svg: Element) => Number(svg.attrs.viewBox!.split(' ')[3]);

    const thirty = expectSafeSvg(pointsBars(many(30)));
    const sixty = expectSafeSvg(pointsBars(many(60)));

    expect(bars(sixty)).toHaveLength(60);
    expect(height(sixty)).toBeGreaterThan(height(thirty) * 1.8);
    const rows = bars(sixty).map((b) => num(b, 'y'));
    expect(new Set(rows).size).toBe(60);
    for (const b of bars(sixty)) expect(num(b, 'y') + num(b, 'height')).toBeLessThanOrEqual(height(sixty));
  });

  it('shortens names beyond twelve characters with … and keeps the full name in the row title', () => {
    const long = '新疆某某县委组织部干部监督信息科'; // 16 characters
    const twelve = '县委政法委员会政治部办公'; // 12 characters
    const svg = expectSafeSvg(
      pointsBars([
        { name: long, points: 3 },
        { name: twelve, points: 2 },
      ]),
    );

    const names = all(svg, (e) => e.name === 'text').map((e) => e.text);
    expect(names[0]).toBe(`${long.slice(0, 11)}…`);
    expect(names[2]).toBe(twelve);
    expect(all(svg, (e) => e.name === 'g').map(titleOf)[0]).toBe(`${long}：3 分`);
  });

  it('keeps a dangerous name as text', () => {
    const name = '<script>alert(1)</script>';
    const chart = pointsBars([{ name, points: 5 }]);
    const svg = expectSafeSvg(chart);

    expect(chart.value).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(all(svg, (e) => e.name === 'script')).toHaveLength(0);
    expect(all(svg, (e) => e.name === 'g').map(titleOf)).toEqual([`${name}：5 分`]);
    expect(svg.attrs['aria-label']).toContain(name);
  });

  it('draws no units and all-zero units without NaN', () => {
    const empty = expectSafeSvg(pointsBars([]));
    expect(empty.attrs['aria-label']).toBe('各单位本年累计积分：暂无单位');

    const zeros = expectSafeSvg(
      pointsBars([
        { name: '甲', points: 0 },
        { name: '乙', points: 0 },
      ]),
    );
    expect(bars(zeros).map((b) => num(b, 'width'))).toEqual([0, 0]);
    expect(zeros.attrs['aria-label']).toBe('各单位本年累计积分：共 2 个单位，均为 0 分');
    expectSafeSvg(pointsBars([{ name: '甲', points: Number.NaN }], { max: 0 }));
  });

  it('stays well-formed and safe whatever the names and figures', () => {
    // Any UTF-16 unit, so controls and lone surrogates come up as well as markup characters and CJK.
    const names = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: names, points: fc.double() }), { maxLength: 8 }),
        fc.array(fc.integer({ min: -5, max: 500 }), { maxLength: 12 }),
        fc.integer({ min: -10, max: 1000 }),
        (units, sent, target) => {
          expectSafeSvg(pointsBars(units));
          expectSafeSvg(paceChart(months(sent), target));
        },
      ),
    );
  });
});
