// The review's emails: the review request every editor gets for each revision (and, while it waits, the reminder),
// the decision the informant hears back (accepted, returned with the revise link, rejected), and the one line the
// other editors get once someone has decided. Where emails carry no work text (`link`), each names the piece by its
// receipt number and links to the page that shows its title and text (the review page, the receipt, the revise form):
// no title, body, changes, file names, feedback or remark leaves in an email.

import { formatShanghai, formatShanghaiDate, now } from '../core/clock';
import { html, paragraphs, type SafeHtml } from '../core/html';
import { type FileRef, fileSlug } from '../documents/files';
import { adoptionUrl, reviewUrl, reviseUrl } from '../links/links';
import { button, fullText, layout, linkNote, type Rows, table, textTable } from '../mail/frame';
import {
  type EmailData,
  type EmailTemplates,
  num,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import { acknowledgmentTemplates } from '../pieces/acknowledgment';
import { emailBody, fileLines, fileList } from '../pieces/body';
import { DECISION_LABELS, type DecisionType } from '../pieces/events';
import { KIND_LABELS } from '../pieces/piece';
import { mineLine, receiptUrl } from '../roster/personalLinks';
import { changesBlock, changesBlockText } from './changes';
import { subjectOf } from './reviewRequests';

/** To every editor when a revision arrives, and again as a reminder while it waits: the whole piece and a link. */
async function reviewEmail(data: EmailData, context: RenderContext, reminder: boolean): Promise<RenderedEmail> {
  const revision = subjectOf(context.item);
  const exp = num(data, 'exp') * 1000;
  const url = await reviewUrl({
    pieceId: revision.pieceId,
    revision: revision.revision,
    editorId: str(data, 'editorId'),
    informantId: revision.informantId,
    keyVersion: recipientOf(context).keyVersion,
    exp: num(data, 'exp'),
  });
  const waitedDays = Math.floor((now().getTime() - new Date(revision.at).getTime()) / 86_400_000);
  const kind = KIND_LABELS[revision.kind] ?? '';
  const draft = revision.revision > 1 ? `（第 ${revision.revision} 稿）` : '';
  const rows: Rows = [
    ['回执号', revision.receipt],
    ['单位', revision.unitName],
    ['信息员', revision.informantName],
    ['类型', KIND_LABELS[revision.kind]],
    ['点题', revision.topicId],
    ['重点调研任务', revision.taskId],
    ['签发领导', revision.signer],
    ['稿次', `第 ${revision.revision} 稿`],
    ['报送时间', formatShanghai(revision.at)],
  ];
  const greeting = `${str(data, 'editorName')}：`;
  const intro = reminder ? `以下稿件已等待审核 ${waitedDays} 天，请尽快处理。` : '有一篇稿件等待您审核。';
  const heading = reminder ? '稿件等待审核' : '新稿件待审核';
  const note = `审核链接仅供您本人使用，有效期至 ${formatShanghaiDate(new Date(exp))}。打开链接不会做任何处理，在页面上点击按钮后才生效。`;
  if (!fullText()) {
    // The piece by its receipt number; what the page shows besides its text, said in a line each.
    const unit = revision.unitName ? `${revision.unitName}：` : '';
    const returns = revision.feedback?.length ?? 0;
    const count = revision.files?.length ?? 0;
    const lines = [
      ...(revision.revision > 1
        ? [
            `这是退回修改后的第 ${revision.revision} 稿${returns ? `（此前退回 ${returns} 次）` : ''}，退回意见和修改之处在审核页面标出。`,
          ]
        : []),
      ...(count ? [`稿件带有原件和附件 ${count} 个，可在审核页面下载。`] : []),
      linkNote('稿件的标题和正文'),
    ];
    return {
      subject: reminder
        ? `【催办】已等待 ${waitedDays} 天：回执号 ${revision.receipt}`
        : `【待审核】${kind}｜${unit}回执号 ${revision.receipt}${draft}`,
      html: layout(
        heading,
        html`<p>${greeting}</p>
<p>${intro}</p>
${table(rows)}
${lines.map((l) => html`<p>${l}</p>`)}
${button(url, '打开审核页面')}<p style="font-size:13px;color:#666">${note}</p>`,
      ),
      text: `${greeting}\n\n${intro}\n\n${textTable(rows)}\n\n${lines.join('\n')}\n\n审核页面：${url}\n${note}\n`,
    };
  }
  // The review link's own downloads (a GET: opening them changes nothing, as for the page).
  const fileUrl = (f: FileRef) => `${url}/files/${fileSlug(revision.revision, f.n)}`;
  const title = revision.title ?? '';
  // Titles often begin with the unit already (县人社局“…”): then it is not said twice.
  const unit = revision.unitName && !title.startsWith(revision.unitName) ? `${revision.unitName}：` : '';
  const subject = reminder ? `【催办】已等待 ${waitedDays} 天：${title}` : `【待审核】${kind}｜${unit}${title}${draft}`;
  const feedback = revision.feedback ?? [];
  // A draft after the first: what changed against the one before, above the whole text.
  const before =
    revision.previousBody === undefined
      ? undefined
      : { revision: revision.revision - 1, title: revision.previousTitle ?? title, body: revision.previousBody };
  const latest = { revision: revision.revision, title, body: revision.body };
  const changesPart = before
    ? html`<h2 style="font-size:17px;margin:18px 0 8px">修改之处</h2>${changesBlock(before, latest, { inline: true })}`
    : '';
  const changesPlain = before ? `${changesBlockText(before, latest)}\n\n全文：\n` : '';
  return {
    subject,
    html: layout(
      heading,
      html`<p>${greeting}</p>
<p>${intro}</p>
${table(rows)}
${feedback.map((e) => html`<p style="color:#555">第 ${e.revision} 稿退回意见：${e.comment}</p>`)}
${changesPart}
<h2 style="font-size:17px;margin:18px 0 8px">${title}</h2>
${emailBody(revision)}
${revision.files?.length ? html`<p style="margin:12px 0 4px">原件和附件（点击下载）：</p>${fileList(revision.files, fileUrl)}` : ''}
${button(url, '打开审核页面')}<p style="font-size:13px;color:#666">${note}</p>`,
    ),
    text: `${greeting}\n\n${intro}\n\n${textTable(rows)}\n${feedback.map((e) => `第 ${e.revision} 稿退回意见：${e.comment}\n`).join('')}\n${changesPlain}${title}\n\n${revision.body ?? ''}\n\n${revision.files?.length ? `${fileLines(revision.files, fileUrl)}\n\n` : ''}审核页面：${url}\n${note}\n`,
  };
}

/** To the informant once a revision is decided. */
async function decisionEmail(template: DecisionType, data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const full = fullText();
  const title = str(data, 'title');
  const receipt = str(data, 'receipt');
  const comment = str(data, 'comment');
  const issueNo = data.issueNo === undefined ? '' : `第 ${num(data, 'issueNo')} 期`;
  const receiptLink = await receiptUrl(str(data, 'pieceId'), str(data, 'personId'), keyVersion);
  // The piece as a sentence names it: by its title, or (link) by its receipt number alone.
  const piece = full ? `《${title}》（回执号 ${receipt}）` : `稿件（回执号 ${receipt}）`;
  const lines: string[] = [];
  let subject: string;
  let action: { url: string; label: string } = { url: receiptLink, label: '查看稿件进度' };
  if (template === 'accepted') {
    subject = full
      ? `您的稿件已采用${issueNo ? `（《组工专报》${issueNo}）` : ''}：${title}`
      : `您的稿件已采用（回执号 ${receipt}${issueNo ? `，《组工专报》${issueNo}` : ''}）`;
    lines.push(`您报送的${piece}已采用，编入《组工专报》${issueNo}。`);
    if (comment) lines.push(full ? `编辑点评：${comment}` : '编辑写了点评，请打开稿件页面查看。');
  } else if (template === 'returned') {
    subject = full ? `您的稿件需要修改：${title}` : `您的稿件需要修改（回执号 ${receipt}）`;
    if (full) lines.push(`您报送的${piece}退回修改，修改意见如下：`, comment);
    else lines.push(`您报送的${piece}退回修改，修改意见请打开下面的链接查看。`);
    const url = await reviseUrl({
      pieceId: str(data, 'pieceId'),
      revision: num(data, 'revision'),
      informantId: str(data, 'personId'),
      keyVersion,
      exp: num(data, 'reviseExp'),
    });
    lines.push(
      `请通过下面的链接提交修改稿（回执号不变）。修改链接有效期至 ${formatShanghaiDate(new Date(num(data, 'reviseExp') * 1000))}，过期后可在稿件页面重新获取。`,
    );
    action = { url, label: '提交修改稿' };
  } else {
    subject = full ? `您的稿件未予采用：${title}` : `您的稿件未予采用（回执号 ${receipt}）`;
    lines.push(`您报送的${piece}经审核未予采用。`);
    if (comment) lines.push(full ? `原因：${comment}` : '编辑写明了原因，请打开稿件页面查看。');
    lines.push('感谢您的报送，期待您的下一篇稿件。');
  }
  if (!full) lines.push(linkNote(template === 'returned' ? '稿件的标题和修改意见' : '稿件的标题和编辑意见'));
  const heading = { accepted: '稿件已采用', returned: '稿件退回修改', rejected: '稿件未予采用' }[template];
  const mine = await mineLine(str(data, 'personId'), keyVersion);
  return {
    subject,
    html: layout(
      heading,
      html`<p>${str(data, 'name')}同志：</p>${lines.map((l) => paragraphs(l))}${button(action.url, action.label)}${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${lines.join('\n')}\n\n${action.label}：${action.url}\n${mine.text}`,
  };
}

/**
 * The line an editor's email about an acceptance ends with: the link to record the piece's adoptions upstream (采用
 * by the 地区, the 自治区 or the centre), which may come months later. The link is the editor's own and does not expire.
 */
async function adoptionLine(data: EmailData, context: RenderContext): Promise<{ html: SafeHtml; text: string }> {
  const url = await adoptionUrl({
    pieceId: str(data, 'pieceId'),
    editorId: str(data, 'editorId'),
    keyVersion: recipientOf(context).keyVersion,
  });
  const note =
    '这篇稿件日后被地区、自治区或中央采用（或获得领导批示）时，请用此链接登记，信息员的积分随之计入。链接长期有效，仅供您本人使用；打开链接不会做任何登记。';
  return {
    html: html`${button(url, '登记上级采用')}<p style="font-size:13px;color:#666">${note}</p>`,
    text: `\n登记上级采用：${url}\n${note}\n`,
  };
}

const issueOf = (data: EmailData) =>
  data.issueNo === undefined ? '' : `（《组工专报》第 ${num(data, 'issueNo')} 期）`;

/** The piece an editor's notice names: by its title (full), or by its receipt number alone (link). */
const pieceOf = (data: EmailData): { inLine: string; inSubject: string } =>
  fullText()
    ? { inLine: `《${str(data, 'title')}》（回执号 ${str(data, 'receipt')}）`, inSubject: str(data, 'title') }
    : { inLine: `回执号 ${str(data, 'receipt')} 的稿件`, inSubject: `回执号 ${str(data, 'receipt')}` };

/** To the editor who accepted a piece: the confirmation, with the link to record its adoptions later. */
async function acceptedByYouEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const piece = pieceOf(data);
  const line = `您已采用${piece.inLine}${issueOf(data)}，信息员已收到通知。`;
  const adoption = await adoptionLine(data, context);
  return {
    subject: `已采用${issueOf(data)}：${piece.inSubject}`,
    html: layout('稿件已采用', html`<p>${line}</p>${adoption.html}`),
    text: `${line}\n${adoption.text}`,
  };
}

/** To the other editors: one line, so nobody opens a piece that is already handled (an acceptance: and its link). */
async function handledEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const accepted = str(data, 'decision') === 'accepted';
  const piece = pieceOf(data);
  const outcome = `${DECISION_LABELS[str(data, 'decision') as DecisionType] ?? ''}${issueOf(data)}`;
  const line = `${piece.inLine}已由 ${str(data, 'editorName')} 于 ${formatShanghai(str(data, 'at'))} 处理：${outcome}。`;
  // Notices written before adoptions existed name no editor: they go without the link.
  const adoption =
    accepted && data.editorId !== undefined ? await adoptionLine(data, context) : { html: html``, text: '' };
  return {
    subject: `已由 ${str(data, 'editorName')} 处理（${outcome}）：${piece.inSubject}`,
    html: layout('稿件已处理', html`<p>${line}</p>${adoption.html}`),
    text: `${line}\n${adoption.text}`,
  };
}

export const reviewTemplates = {
  review: (data: EmailData, context: RenderContext) => reviewEmail(data, context, false),
  reminder: (data: EmailData, context: RenderContext) => reviewEmail(data, context, true),
  accepted: (data: EmailData, context: RenderContext) => decisionEmail('accepted', data, context),
  returned: (data: EmailData, context: RenderContext) => decisionEmail('returned', data, context),
  rejected: (data: EmailData, context: RenderContext) => decisionEmail('rejected', data, context),
  handled: handledEmail,
  acceptedByYou: acceptedByYouEmail,
} satisfies EmailTemplates;

export type ReviewTemplate = keyof typeof reviewTemplates;

/**
 * What a new revision sends: the informant's acknowledgment and every editor's review request. (A pure call, not a
 * spread, so that a bundle which never sends leaves the templates out.)
 */
export const revisionTemplates: EmailTemplates = /* @__PURE__ */ Object.assign(
  {},
  acknowledgmentTemplates,
  reviewTemplates,
);
