// SES's bounce and complaint events read into marks: which stop mail and which are only noted, the reasons in the
// desk's words, one id per event and recipient, and never a throw on what SNS may bring (fuzzed).
import fc from 'fast-check';
import { markLabel, readMailEvent, stopNotice, stopOn } from '../../../shared/mail/deliveryEvents';
import { bounceMessage, complaintMessage, deliveryMessage } from '../../fixtures/sesEvents';

const AT = '2026-06-15T02:20:00.000Z';
const read = (message: Record<string, unknown> | string) =>
  readMailEvent(typeof message === 'string' ? message : JSON.stringify(message), AT);

describe('readMailEvent', () => {
  it('reads a permanent bounce as a stop, with the reason in words and the server answer beside it', () => {
    const { marks, ignored } = read(
      bounceMessage('Wang.Wu@Example.cn', { subType: 'NoEmail', at: '2026-06-15T02:10:00.000Z' }),
    );

    expect(ignored).toBeUndefined();
    expect(marks).toEqual([
      expect.objectContaining({
        kind: 'bounce',
        address: 'wang.wu@example.cn',
        reason: '地址不存在',
        detail: 'smtp; 550 5.1.1 user unknown',
        at: '2026-06-15T02:10:00.000Z',
      }),
    ]);
  });

  it('reads an address on the suppression list as a stop, without SES’s own sentence', () => {
    const [mark] = read(bounceMessage('a@example.cn', { subType: 'OnAccountSuppressionList' })).marks;

    expect(mark).toMatchObject({ kind: 'bounce', reason: expect.stringContaining('禁止发送名单') });
    expect(mark?.detail).toBeUndefined();
  });

  it('reads a transient or undetermined bounce as a note only', () => {
    const [full] = read(bounceMessage('a@example.cn', { type: 'Transient', subType: 'MailboxFull' })).marks;
    const [unknown] = read(bounceMessage('a@example.cn', { type: 'Undetermined', subType: 'Undetermined' })).marks;

    expect(full).toMatchObject({ kind: 'transient', reason: '邮箱已满' });
    expect(unknown).toMatchObject({ kind: 'transient', reason: '退信原因不明' });
    expect(stopOn(full, 'a@example.cn')).toBeUndefined();
  });

  it('reads a complaint as a stop', () => {
    const [mark] = read(complaintMessage('a@example.cn')).marks;

    expect(mark).toMatchObject({ kind: 'complaint', address: 'a@example.cn', reason: '收件人将邮件标为垃圾邮件' });
  });

  it('reads the older identity notifications (`notificationType`) the same', () => {
    const { eventType: _, ...rest } = bounceMessage('a@example.cn');

    expect(read({ ...rest, notificationType: 'Bounce' }).marks).toHaveLength(1);
  });

  it('gives one mark per recipient, the same id for the same event delivered twice', () => {
    const message = bounceMessage(['a@example.cn', '"张三" <b@example.cn>'], { messageId: 'm-1' });

    const first = read(message).marks;
    const again = read(message).marks;

    expect(first.map((m) => m.address)).toEqual(['a@example.cn', 'b@example.cn']);
    expect(again.map((m) => m.eventId)).toEqual(first.map((m) => m.eventId));
    expect(new Set(first.map((m) => m.eventId)).size).toBe(2);
  });

  it('ignores, with the reason, what is not a bounce or a complaint', () => {
    expect(read(deliveryMessage('a@example.cn'))).toEqual({ marks: [], ignored: 'event type Delivery' });
    expect(read('{ not json')).toEqual({ marks: [], ignored: 'not JSON' });
    expect(read({ eventType: 'Bounce', bounce: { bouncedRecipients: [{ emailAddress: 'nobody' }] } }).marks).toEqual(
      [],
    );
    expect(read('null').ignored).toBe('no event type');
  });

  it('never throws, whatever the message holds', () => {
    const bounceLike = fc.record({
      eventType: fc.constantFrom('Bounce', 'Complaint', 'Delivery', 7, null),
      bounce: fc.anything(),
      complaint: fc.anything(),
      mail: fc.oneof(fc.anything(), fc.record({ messageId: fc.anything(), timestamp: fc.anything() })),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          bounceLike.map((v) => JSON.stringify(v)),
        ),
        (message) => {
          const { marks } = readMailEvent(message, AT);
          for (const m of marks) expect(m.address).toMatch(/^[^\s@]+@[^\s@]+$/);
        },
      ),
    );
  });
});

describe('a stop', () => {
  const [stop] = read(bounceMessage('a@example.cn', { subType: 'NoEmail', at: '2026-03-02T02:00:00.000Z' })).marks;

  it('applies to its own address only, whatever its case', () => {
    expect(stopOn(stop, 'A@Example.cn')).toBe(stop);
    expect(stopOn(stop, 'a2@example.cn')).toBeUndefined();
    expect(stopOn(undefined, 'a@example.cn')).toBeUndefined();
    expect(stopOn({ kind: 'bounce' }, 'a@example.cn')).toBeUndefined();
  });

  it('is said in the desk’s words, with its date in Asia/Shanghai', () => {
    expect(markLabel(stop!)).toBe('退信（2026年3月2日）：地址不存在。服务器答复：smtp; 550 5.1.1 user unknown');
    expect(stopNotice(stop!)).toMatch(/^未发送，此邮箱已停发。退信（2026年3月2日）：地址不存在/);
  });
});
