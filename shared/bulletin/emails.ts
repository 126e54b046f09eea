// The 月通报 as an email: HTML for mail clients (tables only, inline styles, bars drawn with table cells — clients
// show no SVG or CSS graphics reliably) and the same content as plain text. Every value escaped. Rendered from the
// frozen Bulletin alone, so every recipient reads the same figures. Where emails carry no work text (`link`), the
// figures, the units' names and the topics stay on the web view: the email says the 通报 is out and links to it,
// and goes without the .xlsx (sendBulletin.ts).
import { formatShanghaiDate } from '../core/clock';
import { html, type SafeHtml } from '../core/html';
import { button, CELL_STYLE, fullText, HEAD_STYLE, layout, linkNote } from '../mail/frame';
import type { RenderedEmail } from '../mail/templates';
import { adoptedTotal, type Bulletin, levelsText, researchHeading, researchLines } from './bulletin';
import { rankChange } from './bulletinSheet';

const cell = CELL_STYLE;
const head = HEAD_STYLE;
const h2 = 'font-size:17px;margin:20px 0 8px;color:#b71c1c';

const levels = levelsText;

/** What the summary says, in sentences (both parts). */
export function summaryLines(b: Bulletin): string[] {
  const m = b.summary.month;
  const y = b.summary.year;
  const mo = Number(b.month.slice(5));
  return [
    `${mo}月全县报送信息和调研文稿 ${m.sent} 篇，编入《组工专报》${m.accepted} 篇${b.summary.issues.length ? `（第 ${b.summary.issues.join('、')} 期）` : ''}，被上级采用 ${adoptedTotal(m.adopted)} 篇次（${levels(m)}），获领导批示 ${m.instructions} 次，积分 ${m.points} 分。`,
    `1—${mo}月累计报送 ${y.sent} 篇，编入《组工专报》${y.accepted} 篇，被上级采用 ${adoptedTotal(y.adopted)} 篇次（${levels(y)}），获领导批示 ${y.instructions} 次，积分 ${y.points} 分。`,
    `全年目标 ${b.target.yearly} 篇，按均衡进度到本月应报 ${b.target.dueByNow} 篇，实报 ${y.sent} 篇。按目前进度，全年预计 ${b.target.projected} 篇，完成目标 ${b.target.percent}%。`,
    `本月调研文稿 ${m.research} 篇，月度目标 ${b.target.monthlyResearch} 篇${m.research >= b.target.monthlyResearch ? '，已完成' : `，差 ${b.target.monthlyResearch - m.research} 篇`}。`,
  ];
}

export function healthLine(b: Bulletin): string {
  const h = b.health;
  const waiting = h.waiting
    ? `目前待审核稿件 ${h.waiting} 篇，等待最久的 ${h.oldestReceipt ?? ''} 已等待 ${h.oldestWaitDays ?? 0} 天`
    : '目前没有待审核的稿件';
  const median =
    h.medianDecisionDays !== undefined
      ? `本月审核 ${h.decisions} 篇，从报送到审核结果的中位时间 ${h.medianDecisionDays} 天`
      : `本月审核 ${h.decisions} 篇`;
  return `${waiting}；${median}。`;
}

/** A bar of `value` out of `max`, `width` px wide at most: two cells, so every mail client draws it. */
function bar(value: number, max: number, width = 160, color = '#c62828'): SafeHtml {
  const filled = max > 0 ? Math.round((Math.max(0, value) / max) * width) : 0;
  return html`<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse"><tr>${
    filled > 0
      ? html`<td width="${filled}" height="10" bgcolor="${color}" style="background:${color};width:${filled}px;height:10px;font-size:0;line-height:0">&nbsp;</td>`
      : ''
  }<td width="${width - filled}" height="10" bgcolor="#f1f1f1" style="background:#f1f1f1;width:${width - filled}px;height:10px;font-size:0;line-height:0">&nbsp;</td></tr></table>`;
}

/**
 * The units ranked, within a 600 px mail column: this month's four figures and the year's two under grouped heads,
 * the year's points with their bar in one cell, unit names on one line.
 */
function unitTable(b: Bulletin): SafeHtml {
  const max = Math.max(0, ...b.units.map((r) => r.year.points));
  const n = (v: number) => html`<td style="${cell}" align="right">${v}</td>`;
  return html`<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%"><tr>
<th style="${head}" rowspan="2">名次</th><th style="${head}" rowspan="2" align="left">单位</th><th style="${head}" colspan="4">本月</th><th style="${head}" colspan="2">累计</th><th style="${head}" rowspan="2">变化</th></tr>
<tr><th style="${head}">报送</th><th style="${head}">专报</th><th style="${head}">采用</th><th style="${head}">积分</th><th style="${head}">报送</th><th style="${head}" align="left">积分</th></tr>
${b.units.map(
  (r) =>
    html`<tr${r.silent ? html` style="background:#fff8e1"` : ''}><td style="${cell}" align="center">${r.yearRank}</td><td style="${cell};white-space:nowrap">${r.name}${r.belowShare ? html` <span style="color:#b71c1c">▲</span>` : ''}</td>${n(r.month.sent)}${n(r.month.accepted)}${n(adoptedTotal(r.month.adopted))}${n(r.month.points)}${n(r.year.sent)}<td style="${cell}">${r.year.points}${bar(r.year.points, max, 70)}</td><td style="${cell};white-space:nowrap" align="center">${rankChange(r)}</td></tr>`,
)}</table>
<p style="font-size:13px;color:#666">“专报”为编入《组工专报》，“采用”为被上级采用篇次。按累计积分排名，积分相同名次相同；“变化”为累计名次较上月的升降。底色标出本月未报送的单位；▲ 为累计报送低于全年目标进度份额（到本月每单位 ${b.target.unitShareByNow} 篇）的单位。</p>`;
}

function paceTable(b: Bulletin): SafeHtml {
  let sum = 0;
  const rows = b.perMonth.map((m, i) => {
    sum += m.sent;
    return {
      label: `${Number(m.month.slice(5))}月`,
      sent: m.sent,
      sum,
      pace: Math.round((b.target.yearly * (i + 1)) / 12),
    };
  });
  const max = Math.max(b.target.yearly, sum);
  return html`<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%"><tr><th style="${head}">月份</th><th style="${head}">当月</th><th style="${head}">累计</th><th style="${head}">目标进度</th><th style="${head}" align="left">累计 / 目标进度</th></tr>${rows.map(
    (r) =>
      html`<tr><td style="${cell}" align="center">${r.label}</td><td style="${cell}" align="right">${r.sent}</td><td style="${cell}" align="right">${r.sum}</td><td style="${cell}" align="right">${r.pace}</td><td style="${cell}">${bar(r.sum, max)}${bar(r.pace, max, 160, '#90a4ae')}</td></tr>`,
  )}</table><p style="font-size:13px;color:#666">每月两条：红色为累计报送，灰色为全年目标 ${b.target.yearly} 篇的均衡进度。</p>`;
}

const topicText = (b: Bulletin) => [
  ...b.topics.open.map(
    (t) =>
      `“${t.title}”（${t.due} 截止，面向${t.audience}）：${t.responses.length ? t.responses.map((r) => `${r.unitName} ${r.pieces} 篇`).join('、') : '尚无单位回应'}${t.unanswered ? `；${t.unanswered} 个单位尚未回应` : ''}。`,
  ),
  ...(b.topics.dueNext.length
    ? [`下月截止的点题：${b.topics.dueNext.map((t) => `“${t.title}”（${t.due}）`).join('、')}。`]
    : []),
];

/** The 通报 as a `link` email: that it is out, and the link to its web view. */
function bulletinLinkEmail(b: Bulletin, links: { view: string }, greeting: string): RenderedEmail {
  const intro = `${b.title}已发布${b.provisional ? '（本月尚未结束，为截至目前的数据）' : ''}，请打开下面的链接查看图表版通报（可打印）。`;
  const note = linkNote('通报的数据、各单位情况和点题');
  const date = formatShanghaiDate(b.computedAt);
  return {
    subject: b.title,
    html: layout(
      b.title,
      html`${greeting ? html`<p>${greeting}</p>` : ''}<p>${intro}</p><p>${note}</p>
${button(links.view, '查看图表版通报（可打印）')}
<p style="font-size:13px;color:#666">县委组织部信息科 ${date}</p>`,
    ),
    text: [
      ...(greeting ? [greeting, ''] : []),
      intro,
      note,
      '',
      `图表版通报（可打印）：${links.view}`,
      `县委组织部信息科 ${date}`,
      '',
    ].join('\n'),
  };
}

export function bulletinEmail(b: Bulletin, links: { view: string }, name?: string): RenderedEmail {
  const greeting = name ? `${name}同志：` : '';
  if (!fullText()) return bulletinLinkEmail(b, links, greeting);
  const intro = `现将${b.title.replace('通报', '情况')}通报如下${b.provisional ? '（本月尚未结束，以下为截至目前的数据）' : ''}。`;
  const silent = b.silent.length ? b.silent.join('、') : '无';
  const below = b.belowShare.length ? b.belowShare.join('、') : '无';
  const topics = topicText(b);
  const date = formatShanghaiDate(b.computedAt);
  return {
    subject: b.title,
    html: layout(
      b.title,
      html`${greeting ? html`<p>${greeting}</p>` : ''}<p>${intro}</p>
<h2 style="${h2}">一、总体情况</h2>${summaryLines(b).map((l) => html`<p>${l}</p>`)}${paceTable(b)}
<h2 style="${h2}">二、各单位报送情况</h2>${unitTable(b)}
<h2 style="${h2}">三、本月未报送单位（${b.silent.length} 个）</h2><p>${silent}</p>
<p>累计报送低于目标进度的单位（${b.belowShare.length} 个）：${below}</p>
<h2 style="${h2}">四、点题</h2>${topics.length ? topics.map((t) => html`<p>${t}</p>`) : html`<p>本月没有征集中的点题。</p>`}
<h2 style="${h2}">五、审核情况</h2><p>${healthLine(b)}</p>
${b.research ? html`<h2 style="${h2}">${researchHeading(b)}</h2>${researchLines(b).map((l) => html`<p>${l}</p>`)}` : ''}
${button(links.view, '查看图表版通报（可打印）')}
<p style="font-size:13px;color:#666">各单位明细见附件 Excel 表格。县委组织部信息科 ${date}</p>`,
    ),
    text: [
      ...(greeting ? [greeting, ''] : []),
      intro,
      '',
      '一、总体情况',
      ...summaryLines(b),
      '',
      '二、各单位报送情况（按累计积分排名）',
      ...b.units.map(
        (r) =>
          `${r.yearRank}. ${r.name}：本月报送 ${r.month.sent}、编入专报 ${r.month.accepted}、上级采用 ${adoptedTotal(r.month.adopted)}、积分 ${r.month.points}；累计报送 ${r.year.sent}、积分 ${r.year.points}（${rankChange(r)}）${r.belowShare ? ' ▲低于进度' : ''}`,
      ),
      '',
      `三、本月未报送单位（${b.silent.length} 个）：${silent}`,
      `累计报送低于目标进度的单位（${b.belowShare.length} 个）：${below}`,
      '',
      '四、点题',
      ...(topics.length ? topics : ['本月没有征集中的点题。']),
      '',
      '五、审核情况',
      healthLine(b),
      '',
      ...(b.research ? [researchHeading(b), ...researchLines(b), ''] : []),
      `图表版通报（可打印）：${links.view}`,
      `县委组织部信息科 ${date}`,
      '',
    ].join('\n'),
  };
}
