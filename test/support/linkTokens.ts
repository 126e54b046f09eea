// Every signed token an email or a page carries, decoded (not verified): what a forwarded email or a page's source
// gives away. A token is any query value or path segment shaped like one (`payload.signature`), wherever it sits,
// so a personal key under another parameter name is found too.
import type { StoredEmail } from './harness';

export interface FoundToken {
  /** The address it was found in. */
  url: string;
  /** Where in it: the query parameter's name, or `path`. */
  at: string;
  claims: Record<string, unknown>;
}

const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/** Every address in a text or an HTML document: plain ones, and those in href/src/action attributes. */
export function urlsIn(text: string): string[] {
  const plain = text.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
  const attributes = [...text.matchAll(/(?:href|src|action)="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  return [...new Set([...plain, ...attributes])];
}

function decode(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as never;
}

/** The tokens in the addresses of `text` (an email's text or HTML part, or a page). */
export function tokensIn(text: string): FoundToken[] {
  const found: FoundToken[] = [];
  for (const url of urlsIn(text)) {
    const parsed = new URL(url, 'http://page.invalid');
    for (const [name, value] of parsed.searchParams) {
      if (TOKEN.test(value)) found.push({ url, at: name, claims: decode(value) });
    }
    for (const segment of parsed.pathname.split('/')) {
      const value = decodeURIComponent(segment);
      if (TOKEN.test(value)) found.push({ url, at: 'path', claims: decode(value) });
    }
  }
  return found;
}

/** The tokens of both parts of an email. */
export function mailTokens(mail: StoredEmail | undefined): FoundToken[] {
  if (!mail) throw new Error('no email');
  return [...tokensIn(mail.body.text ?? ''), ...tokensIn(mail.body.html ?? '')];
}

/** The purposes of `tokens`, each once, sorted: `['answer', 'mine']`. */
export const purposesOf = (tokens: FoundToken[]): string[] =>
  [...new Set(tokens.map((t) => String(t.claims.p)))].sort();
