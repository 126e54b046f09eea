import { ValidationError } from '../../../shared/core/errors';
import { validatePiece } from '../../../shared/pieces/piece';

const BODY = '城关镇坚持把党员教育培训作为基层党建的基础工程，创新开展夜校课堂。';

function fieldsOf(fields: Record<string, unknown>): string[] {
  try {
    validatePiece(fields);
  } catch (err) {
    if (err instanceof ValidationError) return err.errors.map((e) => `${e.field}: ${e.message}`);
    throw err;
  }
  return [];
}

describe('a piece as sent', () => {
  it('has an empty title and body when they hold only zero-width characters', () => {
    expect(fieldsOf({ kind: 'info', title: '\u200b\u200c\u200d\ufeff', body: `\u2060${'\u200b'.repeat(30)}` })).toEqual(
      ['title: 请填写标题。', 'body: 请填写正文，或上传 Word 文档。'],
    );
  });

  it('keeps text in NFC, so the same text typed in two forms is the same piece', () => {
    const decomposed = 'Cafe\u0301 党建'; // e + combining acute
    const composed = 'Café 党建';

    const a = validatePiece({ kind: 'info', title: decomposed, body: BODY });
    const b = validatePiece({ kind: 'info', title: composed, body: BODY });

    expect(a.title).toBe(b.title);
    expect(a.title).toBe(composed);
  });
});
