// What a topic (点题) is as an editor types it, on the desk or the command line: title, description, due day, the
// units it is for. Pure but for today's date: every bad field named in Chinese at once.
import { dayOf, isDay, now } from '../core/clock';
import { type FieldError, ValidationError } from '../core/errors';
import { isBlank, isReadable, normalized } from '../core/text';

export const TOPIC_LIMITS = { titleMax: 60, descriptionMax: 2000 } as const;

export interface TopicInput {
  title: string;
  description: string;
  due: string;
  units: 'all' | string[];
}

const length = (s: string) => [...s].length;

/** The fields a call for pieces has (a topic, a research task), checked; the problems are returned, not thrown. */
export function callFields(
  fields: Record<string, unknown>,
  known: Record<string, string>,
  what: string,
): { values: TopicInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const text = (name: string, label: string): string => {
    const v = fields[name];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string' || !isReadable(v)) {
      errors.push({ field: name, message: `${label}格式不正确，请重新填写。` });
      return '';
    }
    return isBlank(v) ? '' : normalized(v).trim();
  };
  const title = text('title', '标题');
  if (title === '' && !errors.some((e) => e.field === 'title'))
    errors.push({ field: 'title', message: `请填写${what}的标题。` });
  else if (length(title) > TOPIC_LIMITS.titleMax)
    errors.push({ field: 'title', message: `标题不能超过 ${TOPIC_LIMITS.titleMax} 字（现有 ${length(title)} 字）。` });
  const description = text('description', '说明');
  if (length(description) > TOPIC_LIMITS.descriptionMax)
    errors.push({
      field: 'description',
      message: `说明不能超过 ${TOPIC_LIMITS.descriptionMax} 字（现有 ${length(description)} 字）。`,
    });
  const due = text('due', '截止日期').replace(/\//g, '-');
  const today = dayOf(now());
  if (!isDay(due)) errors.push({ field: 'due', message: '请填写截止日期，格式如 2026-12-15。' });
  else if (due < today)
    errors.push({ field: 'due', message: `截止日期 ${due} 已过（今天是 ${today}），请填写今天或以后的日期。` });
  const raw = fields.units;
  const listed = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[,，、\s]+/) : [])
    .map((u) => (typeof u === 'string' ? u.trim() : ''))
    .filter((u) => u !== '');
  let units: 'all' | string[] = 'all';
  if (listed.length > 0 && !(listed.length === 1 && listed[0] === 'all')) {
    const unknown = listed.filter((u) => known[u] === undefined);
    if (unknown.length > 0) {
      errors.push({
        field: 'units',
        message: `名单中没有这些单位：${unknown.slice(0, 5).join('、')}。请从名单中选择。`,
      });
    }
    units = [...new Set(listed)].sort();
  } else if (raw !== undefined && raw !== '' && raw !== 'all' && listed.length === 0) {
    errors.push({ field: 'units', message: `请选择${what}面向的单位，或选“全部单位”。` });
  }
  return { values: { title, description, due, units }, errors };
}

/**
 * `units`: `all` (or nothing) for every unit, else unit ids (an array, or one text with `,`/`，`/`、` between them),
 * each one of `known` (the roster's units). A due day before today (Asia/Shanghai) is refused: informants could
 * not answer it.
 */
export function checkTopic(fields: Record<string, unknown>, known: Record<string, string>): TopicInput {
  const { values, errors } = callFields(fields, known, '点题');
  if (errors.length) throw new ValidationError(errors);
  return values;
}
