// What changed between drafts: by sentence, by character inside a reworded sentence, escaped wherever shown.
import {
  changeCounts,
  changesHtml,
  changesSummary,
  changesText,
  draftChanges,
  sentences,
} from '../../../shared/review/changes';

const kinds = (before: string, after: string) => draftChanges(before, after).map((c) => [c.kind, c.text]);

describe('the changes between two drafts', () => {
  it('split Chinese text into sentences at 。！？； keeping the closing quote with its sentence', () => {
    expect(sentences('第一句。第二句！“第三句？”第四\n第五；')).toEqual([
      '第一句。',
      '第二句！',
      '“第三句？”',
      '第四\n',
      '第五；',
    ]);
  });

  it('mark an added sentence and a removed one, leaving the rest as it was', () => {
    expect(kinds('甲乙丙。丁戊己。', '甲乙丙。新增的一句。')).toEqual([
      ['same', '甲乙丙。'],
      ['removed', '丁戊己。'],
      ['added', '新增的一句。'],
    ]);
    expect(kinds('一。二。三。', '一。三。')).toEqual([
      ['same', '一。'],
      ['removed', '二。'],
      ['same', '三。'],
    ]);
  });

  it('show a reworded sentence character by character when most of it stayed', () => {
    expect(kinds('全年培训党员一千人次。', '全年培训党员一千二百人次。')).toEqual([
      ['same', '全年培训党员一千'],
      ['added', '二百'],
      ['same', '人次。'],
    ]);
  });

  it('count the characters added and removed, and say so in one line', () => {
    const changes = draftChanges('全年培训党员一千人次。', '全年培训党员一千二百人次。');
    expect(changeCounts(changes)).toEqual({ added: 2, removed: 0 });
    expect(changesSummary(1, changes)).toContain('与第 1 稿相比：新增 2 字，删除 0 字');
    expect(changesSummary(2, draftChanges('同样。', '同样。'))).toBe('与第 2 稿相比，正文没有改动。');
  });

  it('escape every piece of text, in the page and in the email, and mark changes in the plain text', () => {
    const changes = draftChanges('旧的<b>标记</b>。', '新的<script>alert(1)</script>。');
    for (const inline of [true, false]) {
      const out = changesHtml(changes, { inline }).value;
      expect(out).not.toContain('<script>');
      expect(out).not.toContain('<b>');
      expect(out).toContain('&lt;script&gt;');
      expect(out).toMatch(/<ins[ >]/);
      expect(out).toMatch(/<del[ >]/);
      expect(out.includes('style=')).toBe(inline);
    }
    expect(changesText(draftChanges('一。二。', '一。三。'))).toBe('一。〔-二〕〔+三〕。');
    // A sentence rewritten from scratch is shown whole, not as a scatter of characters.
    expect(changesText(draftChanges('甲乙丙丁。', '完全不同的话。'))).toBe('〔-甲乙丙丁。〕〔+完全不同的话。〕');
  });
});
