// Scoring rules as data (积分规则): points per level of adoption (县《组工专报》, 地区, 自治区, 中央), a multiplier per
// kind of piece, a bonus per level of 领导批示, a bonus for answering a 点题 topic, and the 信息奖's places. The
// defaults are the repo's rules file (defaultRules.json, version 1); an editor stores a new version with an effective
// date (ruleVersions.ts). Pure: the checks of a rules file and the points one adoption earns under one version.
import type { FieldError } from '../core/errors';
import defaults from './defaultRules.json';

/** Where a piece was printed: the county's own 《组工专报》 (its acceptance), then upward. */
export type Level = 'county' | 'prefecture' | 'region' | 'central';
/** The levels an adoption upstream is recorded at (the county's is the acceptance itself). */
export type UpperLevel = Exclude<Level, 'county'>;
/** Who instructed on it (领导批示), if anyone. */
export type Instruction = 'none' | Level;

export const LEVELS: readonly Level[] = ['county', 'prefecture', 'region', 'central'];
export const UPPER_LEVELS: readonly UpperLevel[] = ['prefecture', 'region', 'central'];
export const INSTRUCTIONS: readonly Instruction[] = ['none', 'county', 'prefecture', 'region', 'central'];

export const LEVEL_LABELS: Record<Level, string> = {
  county: '县《组工专报》',
  prefecture: '地区',
  region: '自治区',
  central: '中央',
};

export const INSTRUCTION_LABELS: Record<Instruction, string> = {
  none: '无',
  county: '县领导批示',
  prefecture: '地区领导批示',
  region: '自治区领导批示',
  central: '中央领导批示',
};

export interface Rules {
  points: Record<Level, number>;
  kindMultiplier: { info: number; research: number };
  instructionBonus: Record<Level, number>;
  topicBonus: number;
  award: { units: number; informants: number; pieces: number };
}

/** A stored version: the rules, from which day they apply, and who set them when. */
export interface RuleVersion {
  version: number;
  /** `2026-01-01`: adoptions dated this day or later are scored with it (until a later version's day). */
  effectiveFrom: string;
  rules: Rules;
  setAt: string;
  setBy: string;
}

const MAX_POINTS = 10_000;

/** The repo's rules file: version 1, in force from the beginning. */
export const DEFAULT_VERSION: RuleVersion = /* @__PURE__ */ defaultVersion();

function defaultVersion(): RuleVersion {
  const { rules } = checkRules(defaults);
  if (!rules) throw new Error('shared/scoring/defaultRules.json does not pass its own checks');
  return {
    version: 1,
    effectiveFrom: '2000-01-01',
    rules,
    setAt: '2026-01-01T00:00:00.000Z',
    setBy: '默认规则（代码库中的规则文件）',
  };
}

/**
 * A rules file's content (parsed JSON) checked field by field: every problem named in Chinese, or the rules. Unknown
 * keys are refused too, so a misspelt key does not silently leave a default in force.
 */
export function checkRules(raw: unknown): { rules?: Rules; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj(raw)) return { errors: [{ field: 'file', message: '规则文件应为一个 JSON 对象（用花括号 { } 括起来）。' }] };
  const known = ['说明', 'points', 'kindMultiplier', 'instructionBonus', 'topicBonus', 'award'];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key))
      errors.push({ field: key, message: `不认识的项目“${key}”：可用的项目为 ${known.slice(1).join('、')}。` });
  }
  const number = (path: string, v: unknown, options: { min?: number; integer?: boolean } = {}): number => {
    const min = options.min ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      errors.push({ field: path, message: `${path} 应为数字。` });
      return 0;
    }
    if (v < min || v > MAX_POINTS)
      errors.push({ field: path, message: `${path} 应在 ${min} 到 ${MAX_POINTS} 之间（现为 ${v}）。` });
    else if (options.integer && !Number.isInteger(v))
      errors.push({ field: path, message: `${path} 应为整数（现为 ${v}）。` });
    return v;
  };
  const group = <K extends string>(
    name: string,
    names: readonly K[],
    options: { min?: number; integer?: boolean } = {},
  ) => {
    const v = raw[name];
    const out = {} as Record<K, number>;
    if (!obj(v)) {
      errors.push({ field: name, message: `缺少 ${name}，或它不是 { … } 形式：应包含 ${names.join('、')}。` });
      return out;
    }
    for (const key of Object.keys(v)) {
      if (!(names as readonly string[]).includes(key))
        errors.push({ field: `${name}.${key}`, message: `${name} 中不认识的项目“${key}”：应为 ${names.join('、')}。` });
    }
    for (const n of names) out[n] = number(`${name}.${n}`, v[n], options);
    return out;
  };
  const points = group('points', LEVELS);
  const kindMultiplier = group('kindMultiplier', ['info', 'research'] as const, { min: 0.1 });
  const instructionBonus = group('instructionBonus', LEVELS);
  const topicBonus = number('topicBonus', raw.topicBonus);
  const award = group('award', ['units', 'informants', 'pieces'] as const, { min: 1, integer: true });
  if (award.units > 100 || award.informants > 100 || award.pieces > 100) {
    errors.push({ field: 'award', message: 'award 的名额每项不超过 100。' });
  }
  if (errors.length > 0) return { errors };
  return { rules: { points, kindMultiplier, instructionBonus, topicBonus, award }, errors };
}

/** A rules file's bytes (UTF-8 JSON, with or without a BOM): the rules, or every problem in Chinese. */
export function parseRulesFile(bytes: Buffer | string): { rules?: Rules; errors: FieldError[] } {
  const text = (typeof bytes === 'string' ? bytes : bytes.toString('utf8')).replace(/^\uFEFF/, '');
  if (text.trim() === '') return { errors: [{ field: 'file', message: '规则文件是空的。' }] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const where = /position (\d+)/.exec(String((err as Error).message))?.[1];
    const line = where === undefined ? undefined : text.slice(0, Number(where)).split('\n').length;
    return {
      errors: [
        {
          field: 'file',
          message: `规则文件不是有效的 JSON${line ? `（第 ${line} 行附近）` : ''}：请检查引号、逗号和括号是否成对，可参照代码库中的 shared/scoring/defaultRules.json。`,
        },
      ],
    };
  }
  return checkRules(raw);
}

/** What one adoption is, as far as its points go. */
export interface Scorable {
  level: Level;
  kind: 'info' | 'research';
  instruction?: Instruction;
  /** The piece answered a 点题 topic (its bonus comes with the county's acceptance). */
  topic?: boolean;
}

/** The points of one adoption under one version: base × kind, plus the 批示 bonus, plus the topic bonus (county). */
export function pointsFor(rules: Rules, s: Scorable): number {
  const base = rules.points[s.level] * rules.kindMultiplier[s.kind];
  const instruction = s.instruction && s.instruction !== 'none' ? rules.instructionBonus[s.instruction] : 0;
  const topic = s.level === 'county' && s.topic ? rules.topicBonus : 0;
  return Math.round((base + instruction + topic) * 100) / 100;
}

/** The version in force on `day` (`2026-10-15`): the latest effective day not after it; of two on one day, the newer. */
export function versionOn(versions: readonly RuleVersion[], day: string): RuleVersion {
  let best = DEFAULT_VERSION;
  for (const v of versions) {
    if (v.effectiveFrom > day) continue;
    if (v.effectiveFrom > best.effectiveFrom || (v.effectiveFrom === best.effectiveFrom && v.version > best.version)) {
      best = v;
    }
  }
  return best;
}
