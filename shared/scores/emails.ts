// The 信息奖's email to every editor and leader: the three lists of the year's award, as frozen when it was sent.
// Where emails carry no work text (`link`: the 优秀信息 are pieces by their titles, the lists are the year's figures),
// it says the award is out, how many places of each, and links to the desk's 积分 page, which shows it.
import { html } from '../core/html';
import { button, fullText, layout, linkNote } from '../mail/frame';
import {
  type EmailData,
  type EmailTemplates,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import { deskUrl } from '../roster/personalLinks';
import type { SentAward } from './award';
import { type RankRow, TIE_RULE } from './rankings';

const cell = 'border:1px solid #ddd;padding:4px 6px';

function list(title: string, rows: RankRow[], unit: boolean) {
  return {
    html: html`<h2 style="font-size:17px;margin:18px 0 8px">${title}（${rows.length}）</h2>${
      rows.length
        ? html`<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%"><tr><th style="${cell}">名次</th><th style="${cell}" align="left">${title === '先进单位' ? '单位' : title === '先进个人' ? '信息员' : '稿件'}</th>${unit ? html`<th style="${cell}" align="left">单位</th>` : ''}<th style="${cell}">积分</th><th style="${cell}">采用篇次</th></tr>${rows.map(
            (r) =>
              html`<tr><td style="${cell}" align="center">${r.rank}</td><td style="${cell}">${r.name}</td>${unit ? html`<td style="${cell}">${r.unitName ?? ''}</td>` : ''}<td style="${cell}" align="right">${r.points}</td><td style="${cell}" align="right">${r.adoptions}</td></tr>`,
          )}</table>`
        : html`<p>（无）</p>`
    }`,
    text: `${title}：\n${rows.map((r) => `  ${r.rank}. ${r.name}${unit && r.unitName ? `（${r.unitName}）` : ''} ${r.points} 分，采用 ${r.adoptions} 篇次`).join('\n') || '  （无）'}\n`,
  };
}

async function awardLinkEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const { award } = context.item as unknown as SentAward;
  const subject = `${award.year} 年度组工信息“信息奖”评选结果`;
  const intro = `${award.year} 年度组工信息“信息奖”评选结果已经确定：先进单位 ${award.units.length} 个、先进个人 ${award.informants.length} 名、优秀信息 ${award.pieces.length} 篇。`;
  // Awards sent before the notification named its person cannot sign the link: the page is named instead.
  const personId = str(data, 'personId');
  const url = personId
    ? await deskUrl(personId, recipientOf(context).keyVersion, `/desk/scores?year=${award.year}`)
    : undefined;
  const note = url ? linkNote('获奖名单') : linkNote('获奖名单', '请在信息科工作台的“积分”页查看');
  return {
    subject,
    html: layout(
      `${award.year} 年度信息奖`,
      html`<p>${str(data, 'name')}：</p><p>${intro}</p><p>${note}</p>${url ? button(url, '在工作台查看获奖名单') : ''}`,
    ),
    text: `${str(data, 'name')}：\n\n${intro}\n${note}\n${url ? `\n在工作台查看获奖名单：${url}\n` : ''}`,
  };
}

function awardEmail(data: EmailData, context: RenderContext): RenderedEmail | Promise<RenderedEmail> {
  if (!fullText()) return awardLinkEmail(data, context);
  const { award } = context.item as unknown as SentAward;
  const parts = [
    list('先进单位', award.units, false),
    list('先进个人', award.informants, true),
    list('优秀信息', award.pieces, true),
  ];
  const intro = `${award.year} 年度组工信息“信息奖”评选结果如下（按全年积分排名：先进单位前 ${award.places.units} 名、先进个人前 ${award.places.informants} 名、优秀信息前 ${award.places.pieces} 篇；并列者同列）。`;
  const note = `${TIE_RULE}${award.provisional ? ' 注意：发送时本年度尚未结束，此后登记的采用不再计入本结果。' : ''}`;
  return {
    subject: `${award.year} 年度组工信息“信息奖”评选结果`,
    html: layout(
      `${award.year} 年度信息奖`,
      html`<p>${str(data, 'name')}：</p><p>${intro}</p>${parts.map((p) => p.html)}<p style="font-size:13px;color:#666">${note}</p>`,
    ),
    text: `${str(data, 'name')}：\n\n${intro}\n\n${parts.map((p) => p.text).join('\n')}\n${note}\n`,
  };
}

export const scoreTemplates = { award: awardEmail } satisfies EmailTemplates;
