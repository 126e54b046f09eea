import fc from 'fast-check';
import { monthOf } from '../../../shared/core/clock';
import { html, paragraphs, SafeHtml } from '../../../shared/core/html';

describe('html templates', () => {
  it('escape every interpolated value', () => {
    const out = html`<p title="${'"><script>'}">${'<img src=x onerror=alert(1)>'} & ${"'"}</p>`.value;

    expect(out).toBe('<p title="&quot;&gt;&lt;script&gt;">&lt;img src=x onerror=alert(1)&gt; & &#39;</p>');
  });

  it('leave no markup character of user text unescaped, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = html`<td>${text}</td>`.value.slice(4, -5);
        expect(out).not.toMatch(/[<>"']/);
      }),
    );
  });

  it('insert nested templates and arrays as markup, and nothing for null, undefined and false', () => {
    const out = html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}${null}${undefined}${false}</ul>`.value;

    expect(out).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(new SafeHtml('<b>').toString()).toBe('<b>');
  });

  it('turn lines of text into escaped paragraphs', () => {
    expect(paragraphs('一<b>\n\n二\n三').value).toBe('<p>一&lt;b&gt;</p><p>二</p><p>三</p>');
  });
});

describe('report months', () => {
  it('follow Asia/Shanghai: 16:00 UTC on the last day of a month is already the next month', () => {
    expect(monthOf(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11');
    expect(monthOf(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12');
    expect(monthOf(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01');
  });
});
