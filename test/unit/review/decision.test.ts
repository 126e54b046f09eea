import { ValidationError } from '../../../shared/core/errors';
import { validateDecision } from '../../../shared/review/decidePiece';

function errorsOf(fields: Record<string, unknown>) {
  try {
    validateDecision(fields);
  } catch (err) {
    if (err instanceof ValidationError) return err.errors;
    throw err;
  }
  return [];
}

describe('an editor decision', () => {
  it('accepts an issue number typed as 第12期, as 12, as full-width １２, or sent by JSON as a number', () => {
    for (const issue of ['第12期', '12', '１２', 12]) {
      expect(validateDecision({ decision: 'accept', issue })).toEqual({ decision: 'accepted', issueNo: 12 });
    }
  });

  it('requires feedback when returning, and keeps it as written', () => {
    expect(errorsOf({ decision: 'return', comment: '  ' })).toEqual([
      { field: 'comment', message: '退回修改时请填写修改意见，信息员会在修改页面上看到。' },
    ]);
    expect(validateDecision({ decision: 'return', comment: '请补充数据。\r\n再核实。' })).toEqual({
      decision: 'returned',
      comment: '请补充数据。\n再核实。',
    });
  });

  it('refuses a comment that is not text instead of silently dropping it', () => {
    expect(errorsOf({ decision: 'accept', comment: 42 })).toEqual([
      { field: 'comment', message: '意见格式不正确，请重新填写。' },
    ]);
  });

  it('refuses a comment with control characters, as pieces are refused, and counts zero-width-only as empty', () => {
    expect(errorsOf({ decision: 'reject', comment: '原因\u0007' })).toEqual([
      { field: 'comment', message: '意见含有无法识别的字符。' },
    ]);
    expect(errorsOf({ decision: 'return', comment: '\u200b\u200b\ufeff' })).toEqual([
      { field: 'comment', message: '退回修改时请填写修改意见，信息员会在修改页面上看到。' },
    ]);
  });

  it('refuses an unknown decision, an issue that is not a number, and an issue on a rejection', () => {
    expect(errorsOf({ decision: 'publish' }).map((e) => e.field)).toEqual(['decision']);
    expect(errorsOf({ decision: 'accept', issue: '十二' }).map((e) => e.field)).toEqual(['issue']);
    expect(errorsOf({ decision: 'reject', issue: '12' })).toEqual([
      { field: 'issue', message: '只有采用的稿件才填写期号。' },
    ]);
  });
});
