// The adoption's email: the informant hears of every adoption of their piece upstream, with its points. Where emails
// carry no work text (`link`), the piece is named by its receipt number, with the link to its receipt page.
import { html } from '../core/html';
import { button, fullText, layout, linkNote, type Rows, table, textTable } from '../mail/frame';
import {
  type EmailData,
  type EmailTemplates,
  type RenderContext,
  type RenderedEmail,
  recipientOf,
  str,
} from '../mail/templates';
import { mineLine, receiptUrl } from '../roster/personalLinks';
import { INSTRUCTION_LABELS, LEVEL_LABELS } from '../scoring/rules';
import type { AdoptionRecord } from './adoptions';

async function adoptedEmail(data: EmailData, context: RenderContext): Promise<RenderedEmail> {
  const { keyVersion } = recipientOf(context);
  const r = context.item as unknown as AdoptionRecord;
  const full = fullText();
  const level = LEVEL_LABELS[r.level] ?? '';
  const piece = full ? `《${r.title}》（回执号 ${r.receipt}）` : `稿件（回执号 ${r.receipt}）`;
  const line = `您报送的${piece}被${level}采用，刊登于${r.outlet}第 ${r.issue} 期（${r.adoptedOn}），计 ${r.points} 分。`;
  const rows: Rows = [
    ['采用级别', level],
    ['刊物', r.outlet],
    ['期号', r.issue],
    ['采用日期', r.adoptedOn],
    ['领导批示', r.instruction && r.instruction !== 'none' ? INSTRUCTION_LABELS[r.instruction] : undefined],
    ['积分', r.points],
  ];
  const mine = await mineLine(str(data, 'personId'), keyVersion);
  if (!full) {
    const url = await receiptUrl(r.pieceId, str(data, 'personId'), keyVersion);
    const note = linkNote('稿件的标题');
    return {
      subject: `您的稿件被${level}采用：回执号 ${r.receipt}`,
      html: layout(
        '稿件被上级采用',
        html`<p>${str(data, 'name')}同志：</p><p>${line}</p>${table(rows)}<p>感谢您的辛勤工作！</p><p>${note}</p>${button(url, '查看稿件')}${mine.html}`,
      ),
      text: `${str(data, 'name')}同志：\n\n${line}\n\n${textTable(rows)}\n\n感谢您的辛勤工作！\n${note}\n\n查看稿件：${url}\n${mine.text}`,
    };
  }
  return {
    subject: `您的稿件被${level}采用：${r.title}`,
    html: layout(
      '稿件被上级采用',
      html`<p>${str(data, 'name')}同志：</p><p>${line}</p>${table(rows)}<p>感谢您的辛勤工作！</p>${mine.html}`,
    ),
    text: `${str(data, 'name')}同志：\n\n${line}\n\n${textTable(rows)}\n\n感谢您的辛勤工作！\n${mine.text}`,
  };
}

export const adoptionTemplates = { adopted: adoptedEmail } satisfies EmailTemplates;
