// Use case: what the revise form shows — the returned text to start from, the feedback, who is revising.
import type { FieldError } from '../core/errors';
import { html, paragraphs } from '../core/html';
import { type FormValues, submitFormPage } from '../pieces/form';
import { loadRevise, type ReviseContext } from './revisePiece';

export interface ReviseView extends ReviseContext {
  unitName: string;
  values: FormValues;
}

export async function reviseView(token: unknown): Promise<ReviseView> {
  const context = await loadRevise(token);
  const r = context.revision;
  return {
    ...context,
    unitName: context.summary.units[r.unitId] ?? r.unitName ?? '',
    values: { kind: r.kind, title: r.title ?? '', body: r.body ?? '', topic: r.topicId ?? '', signer: r.signer ?? '' },
  };
}

/**
 * The revise form: the text to start from (or as just typed), the editor's feedback above it, any messages. Without
 * a view (the store could not be read when showing it again) it is the bare form with what was typed.
 */
export function reviseFormPage(
  view: ReviseView | undefined,
  token: string,
  values: FormValues,
  errors?: FieldError[],
  notice?: string,
): string {
  return submitFormPage({
    action: `/revise/${token}`,
    heading: view ? `修改稿件（回执号 ${view.revision.receipt}）` : '修改稿件',
    informantName: view?.informant.name,
    unitName: view?.unitName,
    values,
    errors,
    notice,
    submitLabel: '提交修改稿',
    previousAttachments: view?.revision.files?.filter((f) => f.role === 'attachment'),
    previousDocument: view?.revision.files?.find((f) => f.role === 'document')?.name,
    feedback: view
      ? html`<div class="who"><p>${view.returned.editorName ?? '编辑'}的修改意见：</p>${paragraphs(view.returned.comment ?? '')}</div>`
      : undefined,
  });
}
