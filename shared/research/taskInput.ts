// What a research task is as an editor types it (the desk, `task add`, a row of `task import`): a call's fields (as
// a 点题's: title, description, due day, units) and its quarter and lead. The due day must lie in the quarter and
// not be past. Pure but for today's date: every bad field named in Chinese at once.
import { type FieldError, ValidationError } from '../core/errors';
import { isBlank, isReadable, normalized } from '../core/text';
import { callFields, type TopicInput } from '../topics/topicInput';
import { isQuarter, quarterDays, quarterLabel } from './quarters';

export const LEAD_MAX = 50;

export interface TaskInput extends TopicInput {
  quarter: string;
  lead: string;
}

/** The problems of a task's fields (none: `values` is the task). */
export function taskFields(
  fields: Record<string, unknown>,
  known: Record<string, string>,
): { values: TaskInput; errors: FieldError[] } {
  const { values, errors } = callFields(fields, known, '调研任务');
  const rawQuarter = typeof fields.quarter === 'string' ? fields.quarter.trim().toUpperCase() : '';
  const quarter = rawQuarter;
  if (!isQuarter(quarter)) {
    errors.push({ field: 'quarter', message: '季度格式应为 2026Q4（年份加 Q1—Q4）。' });
  } else if (!errors.some((e) => e.field === 'due')) {
    const { first, last } = quarterDays(quarter);
    if (values.due < first || values.due > last) {
      errors.push({
        field: 'due',
        message: `截止日期 ${values.due} 不在${quarterLabel(quarter)}（${first} 至 ${last}）内。`,
      });
    }
  }
  const rawLead = fields.lead;
  let lead = '';
  if (rawLead !== undefined && rawLead !== null) {
    if (typeof rawLead !== 'string' || !isReadable(rawLead)) {
      errors.push({ field: 'lead', message: '牵头人格式不正确，请重新填写。' });
    } else if (!isBlank(rawLead)) {
      lead = normalized(rawLead).replace(/\s+/g, ' ').trim();
      if ([...lead].length > LEAD_MAX) errors.push({ field: 'lead', message: `牵头人不能超过 ${LEAD_MAX} 字。` });
    }
  }
  return { values: { ...values, quarter, lead }, errors };
}

export function checkTask(fields: Record<string, unknown>, known: Record<string, string>): TaskInput {
  const { values, errors } = taskFields(fields, known);
  if (errors.length) throw new ValidationError(errors);
  return values;
}
