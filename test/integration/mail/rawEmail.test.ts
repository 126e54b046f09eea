// Email with attachments through SES v1 SendRawEmail, end to end against the shared aws-ses-v2-local: it parses the
// raw message with mailparser, so what the store holds is what a mail client would show (subject, bodies, the
// attachment's decoded filename and bytes). Header injection is checked on the store and on the raw message itself.
import { composeRawEmail, sendEmailWithAttachments } from '../../../shared/mail/rawEmail';
import { type StoredEmail, startTestCounty, type TestCounty } from '../../support/harness';

/** The stand-in keeps mailparser's attachment objects, content as base64. */
interface StoredEmailWithAttachments extends StoredEmail {
  attachments: { filename?: string; contentType: string; content: string; size: number }[];
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SUBJECT = '2026年10月组工信息工作通报';
const FILENAME = '2026年10月各单位报送情况.xlsx';
// Starts like a real .xlsx (a zip) and holds every byte value, so any mangling of binary content shows.
const XLSX_BYTES = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...Array.from({ length: 256 }, (_, i) => i)]);

let county: TestCounty;

beforeAll(async () => {
  county = await startTestCounty();
});
afterAll(async () => {
  await county.close();
});

async function stored(to: string, messageId: string): Promise<StoredEmailWithAttachments> {
  const mail = (await county.mails(to)).find((m) => m.messageId === messageId);
  if (!mail) throw new Error(`no stored email ${messageId} to ${to}`);
  return mail as StoredEmailWithAttachments;
}

test('sends the bulletin with its .xlsx: Chinese subject, both bodies, the filename and the exact bytes', async () => {
  const to = `leader@${county.domain}`;

  const input = {
    to,
    subject: SUBJECT,
    html: '<p>各单位：现将2026年10月组工信息报送情况通报如下，详见附件。</p>',
    text: '各单位：现将2026年10月组工信息报送情况通报如下，详见附件。',
    attachments: [{ filename: FILENAME, contentType: XLSX, content: XLSX_BYTES }],
  };

  const messageId = await sendEmailWithAttachments(input);

  const mail = await stored(to, messageId);
  expect(mail.subject).toBe(SUBJECT);
  // mailparser decoded the RFC 2047 display name (and quotes it when it prints the address).
  expect(mail.from).toBe('"县委组织部信息科" <baosong@example.com>');
  expect(mail.destination).toEqual({ to: [to], cc: [], bcc: [] });
  expect(mail.body.html).toContain('<p>各单位：现将2026年10月组工信息报送情况通报如下，详见附件。</p>');
  expect(mail.body.text?.trim()).toBe('各单位：现将2026年10月组工信息报送情况通报如下，详见附件。');
  expect(mail.attachments).toHaveLength(1);
  const [attachment] = mail.attachments;
  expect(attachment?.filename).toBe(FILENAME);
  expect(attachment?.contentType).toBe(XLSX);
  expect(new Uint8Array(Buffer.from(attachment?.content ?? '', 'base64'))).toEqual(XLSX_BYTES);
  // mailparser forgives what strict clients do not: the display name as a bare encoded word (never quoted), the
  // filename as RFC 2231 parameters.
  const raw = (await composeRawEmail(input)).toString('latin1');
  expect(raw).toMatch(/^From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <baosong@example\.com>\r\n/);
  expect(raw).toMatch(/Content-Disposition: attachment;\r\n filename\*0\*=utf-8''2026%E5%B9%B4/);
});

test('a subject carrying "\\r\\nBcc: x@y" stays one subject line and adds no Bcc recipient', async () => {
  const to = `editor@${county.domain}`;
  const input = {
    to,
    subject: `${SUBJECT}\r\nBcc: x@y`,
    html: '<p>通报</p>',
    text: '通报',
    attachments: [{ filename: `报送情况\r\nBcc: x@y.xlsx`, contentType: XLSX, content: XLSX_BYTES }],
  };

  const messageId = await sendEmailWithAttachments(input);

  const mail = await stored(to, messageId);
  expect(mail.subject).toBe(`${SUBJECT} Bcc: x@y`);
  expect(mail.destination).toEqual({ to: [to], cc: [], bcc: [] });
  expect(mail.attachments[0]?.filename).toBe('报送情况 Bcc: x@y.xlsx');
  // The store derives bcc from parsed headers: look at the raw header lines too.
  const raw = (await composeRawEmail(input)).toString('latin1');
  expect(raw.split('\r\n').filter((line) => /^bcc:/i.test(line))).toEqual([]);
});
