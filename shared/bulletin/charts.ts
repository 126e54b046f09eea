// The 通报's charts as inline SVG: the year's pace against the target, and the units' points as bars. Pure
// functions of the Bulletin's figures, so the web view and the printout for the 月例会 draw the same picture.
// No script, no style attribute and no <style> (the page's CSP allows only its one hashed stylesheet): presentation
// attributes only. Greys and one dark blue, with dashes rather than hue telling lines apart, so an A4 grey print reads.
import { html, type SafeHtml } from '../core/html';

const FONT = 'PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif';
const INK = '#222222';
const MUTED = '#595959';
const GRID = '#d9d9d9';
const SENT = '#2f5f8a';
const TARGET = '#6b6b6b';
const STRIPE = '#f2f2f2';

const WIDTH = 640;

/** Bad figures (NaN, negative, missing) draw as nothing rather than break the picture. */
const count = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

/** Coordinates to a tenth of a pixel: shorter markup, and never NaN because every input went through count(). */
const px = (n: number): string => String(Math.round(n * 10) / 10);

/** Figures as people read them: whole when whole, else up to two decimals (points are kept to hundredths). */
function figure(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const hundredths = Math.round(n * 100) / 100;
  return String(Number.isFinite(hundredths) ? hundredths : n);
}

/** XML 1.0's Char production: what a name may keep so the SVG also stands alone or goes into a .docx. */
const xmlChar = (cp: number): boolean =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  cp >= 0x10000;

/** Drops controls and lone surrogates: html`` lets them through, and an XML reader refuses them. */
const xmlText = (text: string): string =>
  Array.from(text)
    .filter((c) => xmlChar(c.codePointAt(0) ?? 0))
    .join('');

/** A round step for about `ticks` gridlines (1, 2 or 5 × 10ⁿ, at least 1: pieces and points come whole). */
function scaleOf(top: number, ticks: number): { max: number; step: number } {
  if (top <= 0) return { max: 1, step: 1 };
  const raw = top / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = Math.max(1, (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude);
  return { max: Math.ceil(top / step) * step, step };
}

function frame(height: number, label: string, body: SafeHtml): SafeHtml {
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${px(height)}" width="100%" role="img" aria-label="${label}" font-family="${FONT}" font-size="12" fill="${INK}"><title>${label}</title>${body}</svg>`;
}

/** The month a `2026-10` key names; the position in the list when the key says nothing usable. */
function monthNumber(key: string, index: number): number {
  const m = Number(key.slice(5, 7));
  return Number.isInteger(m) && m >= 1 && m <= 12 ? m : index + 1;
}

/**
 * The year so far: cumulative pieces sent by the end of each month (columns, January to the latest month given)
 * against the even pace of the yearly target (a dashed line across all twelve months, reaching the target at 12月).
 */
export function paceChart(perMonth: readonly { month: string; sent: number }[], yearlyTarget: number): SafeHtml {
  const target = count(yearlyTarget);
  const sentIn = new Array<number>(12).fill(0);
  let latest = 0;
  perMonth.forEach((p, i) => {
    const m = monthNumber(p.month, i);
    sentIn[m - 1] = (sentIn[m - 1] ?? 0) + count(p.sent);
    latest = Math.max(latest, m);
  });
  const cumulative: number[] = [];
  for (let m = 0; m < latest; m++) cumulative.push((cumulative[m - 1] ?? 0) + (sentIn[m] ?? 0));
  const total = cumulative[latest - 1] ?? 0;

  const height = 320;
  const left = 52;
  const right = 16;
  const top = 44;
  const bottom = 36;
  const plotHeight = height - top - bottom;
  const slot = (WIDTH - left - right) / 12;
  const { max, step } = scaleOf(Math.max(target, ...cumulative), 5);
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const centre = (m: number) => left + (m - 0.5) * slot;
  const baseline = y(0);

  const ticks: SafeHtml[] = [];
  for (let v = 0; v <= max; v += step) {
    ticks.push(
      html`<line x1="${left}" y1="${px(y(v))}" x2="${WIDTH - right}" y2="${px(y(v))}" stroke="${v === 0 ? MUTED : GRID}" stroke-width="1"/><text x="${left - 6}" y="${px(y(v) + 4)}" text-anchor="end" fill="${MUTED}">${v}</text>`,
    );
  }
  const months = Array.from(
    { length: 12 },
    (_, i) =>
      html`<text x="${px(centre(i + 1))}" y="${px(baseline + 20)}" text-anchor="middle" fill="${MUTED}">${i + 1}月</text>`,
  );
  const barWidth = slot * 0.6;
  const columns = cumulative.map(
    (v, i) =>
      html`<rect class="sent" x="${px(centre(i + 1) - barWidth / 2)}" y="${px(y(v))}" width="${px(barWidth)}" height="${px(baseline - y(v))}" fill="${SENT}"><title>${i + 1}月累计报送 ${v} 篇</title></rect><text x="${px(centre(i + 1))}" y="${px(y(v) - 4)}" text-anchor="middle" font-size="11">${v}</text>`,
  );
  const pace = Array.from({ length: 12 }, (_, i) => `${px(centre(i + 1))},${px(y((target * (i + 1)) / 12))}`);
  const paceLine = html`<polyline class="target" points="${pace.join(' ')}" fill="none" stroke="${TARGET}" stroke-width="2" stroke-dasharray="6 4"><title>目标进度：12月达到 ${target} 篇</title></polyline><text x="${px(centre(12))}" y="${px(y(target) - 8)}" text-anchor="end" fill="${TARGET}">${target}</text>`;
  const legend = html`<rect x="${left}" y="12" width="14" height="14" fill="${SENT}"/><text x="${left + 20}" y="24">累计报送</text><line x1="${left + 96}" y1="19" x2="${left + 126}" y2="19" stroke="${TARGET}" stroke-width="2" stroke-dasharray="6 4"/><text x="${left + 132}" y="24">目标进度</text>`;

  const label =
    latest === 0
      ? `今年尚无报送，全年目标 ${target} 篇`
      : `截至${latest}月累计报送 ${total} 篇，目标进度 ${Math.round((target * latest) / 12)} 篇，全年目标 ${target} 篇`;
  return frame(height, label, html`${legend}${ticks}${months}${columns}${paceLine}`);
}

const NAME_LENGTH = 12;

/** A name that fits the label column: twelve characters, or eleven and an ellipsis (by code point, not UTF-16 unit). */
function shortName(name: string): string {
  const chars = Array.from(name);
  return chars.length <= NAME_LENGTH ? name : `${chars.slice(0, NAME_LENGTH - 1).join('')}…`;
}

/**
 * Each unit's points as a horizontal bar, one row a unit in the order given (the caller ranks them). `max` fixes the
 * scale (to compare two charts); bars beyond it stop at the full length. `title` names the figures for the reader.
 */
export function pointsBars(
  units: readonly { name: string; points: number }[],
  options: { max?: number; title?: string } = {},
): SafeHtml {
  const title = xmlText(options.title ?? '各单位本年累计积分');
  const named = units.map((u) => ({ name: xmlText(u.name), points: u.points }));
  if (named.length === 0) {
    return frame(
      40,
      `${title}：暂无单位`,
      html`<text x="${WIDTH / 2}" y="25" text-anchor="middle" fill="${MUTED}">暂无单位</text>`,
    );
  }

  const row = 24;
  const bar = 14;
  const top = 8;
  const nameRight = 168;
  const barLeft = 176;
  const barMax = WIDTH - barLeft - 60;
  const height = top * 2 + named.length * row;
  const max = count(options.max ?? 0) || Math.max(...named.map((u) => count(u.points)));
  const length = (p: number) => (max > 0 ? (Math.min(count(p), max) / max) * barMax : 0);

  const rows = named.map((u, i) => {
    const rowTop = top + i * row;
    const middle = rowTop + row / 2;
    const w = length(u.points);
    const stripe =
      i % 2 === 1 ? html`<rect x="0" y="${rowTop}" width="${WIDTH}" height="${row}" fill="${STRIPE}"/>` : '';
    return html`<g><title>${u.name}：${figure(u.points)} 分</title>${stripe}<text x="${nameRight}" y="${px(middle + 4)}" text-anchor="end">${shortName(u.name)}</text><rect class="bar" x="${barLeft}" y="${px(middle - bar / 2)}" width="${px(w)}" height="${bar}" fill="${SENT}"/><text x="${px(barLeft + w + 6)}" y="${px(middle + 4)}">${figure(u.points)}</text></g>`;
  });
  const axis = html`<line x1="${barLeft}" y1="${top}" x2="${barLeft}" y2="${height - top}" stroke="${MUTED}" stroke-width="1"/>`;

  const best = named.reduce((a, b) => (count(b.points) > count(a.points) ? b : a));
  const label =
    count(best.points) > 0
      ? `${title}：共 ${named.length} 个单位，最高为${best.name} ${figure(best.points)} 分`
      : `${title}：共 ${named.length} 个单位，均为 0 分`;
  return frame(height, label, html`${rows}${axis}`);
}
