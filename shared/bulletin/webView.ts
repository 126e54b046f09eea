// The 通报 as a web page: the signed read-only view its email links to (as sent), and the desk's preview (as it
// stands). The same content as the email, with charts people would rather look at — the year's pieces per month
// against the target's pace, the units' points as bars — drawn as inline SVG (no script; the page's CSP holds),
// and an A4 print stylesheet (the frame's) for the 月例会.
import { formatShanghai } from '../core/clock';
import { html, type SafeHtml } from '../core/html';
import { page } from '../web/pages';
import { adoptedTotal, type Bulletin, researchHeading, researchLines } from './bulletin';
import { rankChange } from './bulletinSheet';
import { paceChart, pointsBars } from './charts';
import { healthLine, summaryLines } from './emails';

/** The body of the 通报 page (the desk's preview puts it in its own frame). */
export function bulletinBody(b: Bulletin): SafeHtml {
  const topics = b.topics.open;
  return html`<div class="bulletin">
${b.provisional ? html`<p class="hint">本月尚未结束：以下为截至 ${formatShanghai(b.computedAt)} 的数据。</p>` : ''}
<h2>一、总体情况</h2>${summaryLines(b).map((l) => html`<p>${l}</p>`)}
<figure class="chart">${paceChart(b.perMonth, b.target.yearly)}<figcaption class="hint">全年报送进度：累计报送与全年目标 ${b.target.yearly} 篇的均衡进度</figcaption></figure>
<h2>二、各单位报送情况</h2>
<figure class="chart">${pointsBars(b.units.map((r) => ({ name: r.name, points: r.year.points })))}<figcaption class="hint">各单位累计积分</figcaption></figure>
<div class="scroll" tabindex="0" role="region" aria-label="各单位报送情况"><table class="grid"><thead><tr><th class="n">名次</th><th>单位</th><th class="n">本月报送</th><th class="n">本月编入专报</th><th class="n">本月上级采用</th><th class="n">本月积分</th><th class="n">本月名次</th><th class="n">累计报送</th><th class="n">累计编入专报</th><th class="n">累计上级采用</th><th class="n">累计积分</th><th class="n">变化</th></tr></thead><tbody>
${b.units.map(
  (r) =>
    html`<tr${r.silent ? html` class="silent"` : ''}><td class="n">${r.yearRank}</td><th scope="row">${r.name}${r.belowShare ? html` <span class="flag" title="低于进度">▲</span>` : ''}</th><td class="n">${r.month.sent}</td><td class="n">${r.month.accepted}</td><td class="n">${adoptedTotal(r.month.adopted)}</td><td class="n">${r.month.points}</td><td class="n">${r.monthRank}</td><td class="n">${r.year.sent}</td><td class="n">${r.year.accepted}</td><td class="n">${adoptedTotal(r.year.adopted)}</td><td class="n">${r.year.points}</td><td class="n">${rankChange(r)}</td></tr>`,
)}</tbody></table></div>
<p class="hint">按累计积分排名，积分相同名次相同；“变化”为累计名次较上月的升降。底色为本月未报送的单位；▲ 为累计报送低于目标进度份额（到本月每单位 ${b.target.unitShareByNow} 篇）。</p>
<h2>三、本月未报送单位（${b.silent.length} 个）</h2><p>${b.silent.length ? b.silent.join('、') : '无'}</p>
<p>累计报送低于目标进度的单位（${b.belowShare.length} 个）：${b.belowShare.length ? b.belowShare.join('、') : '无'}</p>
<h2>四、点题</h2>${
    topics.length
      ? topics.map(
          (t) =>
            html`<h3>${t.title}</h3><p>${t.due} 截止，面向${t.audience}。${t.responses.length ? t.responses.map((r) => `${r.unitName} ${r.pieces} 篇`).join('、') : '尚无单位回应'}${t.unanswered ? `；${t.unanswered} 个单位尚未回应` : ''}。</p>`,
        )
      : html`<p>本月没有征集中的点题。</p>`
  }${b.topics.dueNext.length ? html`<p>下月截止的点题：${b.topics.dueNext.map((t) => `“${t.title}”（${t.due}）`).join('、')}。</p>` : ''}
<h2>五、审核情况</h2><p>${healthLine(b)}</p>
${b.research ? html`<h2>${researchHeading(b)}</h2>${researchLines(b).map((l) => html`<p>${l}</p>`)}` : ''}
</div>`;
}

export function bulletinViewPage(b: Bulletin): string {
  return page(b.title, html`<h1>${b.title}</h1>${bulletinBody(b)}<p class="hint">县委组织部信息科</p>`, { wide: true });
}
