// What an adoption (采用) is as an editor types it — on the email link's form, on the desk, on a line of a
// periodical's table of contents, or on the command line: level, outlet, issue, date, 批示. Chinese words and the
// English codes are both understood (自治区 / region). Pure: the field checks; the piece's own checks (accepted, the
// date not before it was sent) are the use case's.
import { dayOf, isDay, now } from '../core/clock';
import { type FieldError, ValidationError } from '../core/errors';
import { isBlank, isReadable, normalized } from '../core/text';
import type { Instruction, UpperLevel } from '../scoring/rules';
import { digest } from '../store/keys';

export interface AdoptionInput {
  level: UpperLevel;
  /** The periodical, e.g. 《新疆组工信息》. */
  outlet: string;
  /** Its issue (期号) as printed: `12`, `2026年第12期`. */
  issue: string;
  /** `2026-10-15`. */
  adoptedOn: string;
  instruction: Instruction;
}

export const FIELD_LABELS = {
  level: '采用级别',
  outlet: '刊物',
  issue: '期号',
  date: '采用日期',
  instruction: '领导批示',
} as const;

export const LIMITS = { outletMax: 50, issueMax: 30 } as const;

const LEVEL_WORDS = /* @__PURE__ */ new Map<string, UpperLevel>([
  ...['prefecture', '地区', '地级', '地委', '州', '市'].map((w) => [w, 'prefecture'] as const),
  ...['region', '自治区', '区', '省', '省级'].map((w) => [w, 'region'] as const),
  ...['central', '中央', '中组部', '全国'].map((w) => [w, 'central'] as const),
]);

const INSTRUCTION_WORDS = /* @__PURE__ */ new Map<string, Instruction>([
  ...['', 'none', '无', '没有', '否', '-'].map((w) => [w, 'none'] as const),
  ...['county', '县', '县级', '县领导'].map((w) => [w, 'county'] as const),
  ...['prefecture', '地区', '地级', '地区领导'].map((w) => [w, 'prefecture'] as const),
  ...['region', '自治区', '区', '省', '自治区领导'].map((w) => [w, 'region'] as const),
  ...['central', '中央', '中央领导'].map((w) => [w, 'central'] as const),
]);

/** `2026/10/15`, `2026.10.15`, `2026年10月15日` → `2026-10-15` (what Excel and people write for a date). */
export function dayFrom(text: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text.normalize('NFKC').trim());
  if (!m) return text.trim();
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/**
 * Checks the fields of one adoption and returns it cleaned, or throws one ValidationError naming each bad field
 * (`level`, `outlet`, `issue`, `date`, `instruction`) once.
 */
export function checkAdoption(fields: Record<string, unknown>): AdoptionInput {
  const errors: FieldError[] = [];
  const text = (field: keyof typeof FIELD_LABELS): string => {
    const v = fields[field];
    if (v === undefined || v === null) return '';
    if (typeof v === 'number' && (field === 'issue' || field === 'date')) return String(v);
    if (typeof v !== 'string') {
      errors.push({ field, message: `${FIELD_LABELS[field]}格式不正确，请重新填写。` });
      return '';
    }
    if (!isReadable(v) || /\p{Cc}/u.test(v.replace(/[\r\n\t]/g, ' '))) {
      errors.push({ field, message: `${FIELD_LABELS[field]}含有无法识别的字符。` });
      return '';
    }
    return isBlank(v) ? '' : normalized(v).replace(/\s+/g, ' ').trim();
  };
  const has = (field: string) => errors.some((e) => e.field === field);
  const levelText = text('level');
  const outlet = text('outlet');
  const issue = text('issue')
    .normalize('NFKC')
    .replace(/^第\s*(\d+)\s*期$/, '$1');
  const date = dayFrom(text('date'));
  const instructionText = text('instruction');

  const level = LEVEL_WORDS.get(levelText.toLowerCase());
  if (!has('level')) {
    if (levelText === '') errors.push({ field: 'level', message: '请选择采用级别：地区、自治区或中央。' });
    else if (!level) {
      errors.push({
        field: 'level',
        message: `采用级别“${levelText}”无法识别：应为地区、自治区或中央（prefecture / region / central）。县《组工专报》的采用在审核时登记。`,
      });
    }
  }
  if (!has('outlet')) {
    if (outlet === '') errors.push({ field: 'outlet', message: '请填写刊物名称，例如《××组工信息》。' });
    else if ([...outlet].length > LIMITS.outletMax) {
      errors.push({ field: 'outlet', message: `刊物名称不能超过 ${LIMITS.outletMax} 字。` });
    }
  }
  if (!has('issue')) {
    if (issue === '') errors.push({ field: 'issue', message: '请填写期号，例如 12。' });
    else if ([...issue].length > LIMITS.issueMax) {
      errors.push({ field: 'issue', message: `期号不能超过 ${LIMITS.issueMax} 字。` });
    }
  }
  const today = dayOf(now());
  if (!has('date')) {
    if (date === '') errors.push({ field: 'date', message: '请填写采用日期，例如 2026-10-15。' });
    else if (!isDay(date)) {
      errors.push({ field: 'date', message: `采用日期“${date}”不正确：请写成 年-月-日，例如 2026-10-15。` });
    } else if (date > today) {
      errors.push({ field: 'date', message: `采用日期 ${date} 还没有到：不能晚于今天（${today}）。` });
    }
  }
  const instruction = INSTRUCTION_WORDS.get(instructionText.toLowerCase());
  if (!has('instruction') && !instruction) {
    errors.push({
      field: 'instruction',
      message: `领导批示“${instructionText}”无法识别：应为 无、县、地区、自治区 或 中央（none / county / prefecture / region / central）。`,
    });
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return { level: level!, outlet, issue, adoptedOn: date, instruction: instruction! };
}

/**
 * An issue as it identifies one: `12`, `第12期`, `2026年第12期` and `2026年第12期（总第345期）` are issue 12 (the year
 * is the adoption's date's); anything else (`增刊一`) as typed, without spaces.
 */
function issueKey(issue: string): string {
  const text = issue.normalize('NFKC').replace(/\s/g, '').toLowerCase();
  const n = /^(?:\d{4}年)?第?0*(\d+)期?(?:[(（]总第\d+期[)）])?$/.exec(text)?.[1];
  return n ?? text;
}

/**
 * An adoption's id among the piece's: the same level, outlet and issue is the same adoption (a second record of it
 * is a duplicate), however the outlet's brackets or spaces were typed.
 */
export function adoptionIdOf(input: Pick<AdoptionInput, 'level' | 'outlet' | 'issue'>): string {
  const outlet = input.outlet
    .normalize('NFKC')
    .replace(/[《》<>〈〉“”"'\s]/g, '')
    .toLowerCase();
  return digest(input.level, outlet, issueKey(input.issue)).slice(0, 12);
}
