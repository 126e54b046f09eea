// What the editor's adoption link (/adoption/{token}, from the email confirming an acceptance) answers: GET shows
// the piece, its adoptions and the form, and changes nothing; POST records one adoption. The link is checked first
// — forged, revoked (key version), 停用 or no longer an editor's: 403, nothing read of the piece.
import { settle } from '../core/budget';
import { config } from '../core/config';
import {
  ConflictError,
  FORM_KEPT_NOTICE,
  InactiveLinkError,
  InvalidLinkError,
  RevokedLinkError,
  ValidationError,
} from '../core/errors';
import { adoptionClaims } from '../links/links';
import { latestRevision } from '../pieces/events';
import { type Person, readWithRoster } from '../roster/people';
import { failureOf, type HttpResponse } from '../web/http';
import { pieceAdoptions } from './adoptions';
import { deliverAdoption } from './deliverNow';
import { type AdoptionPageInput, adoptionPage, adoptionValuesOf } from './pages';
import { type AdoptionTarget, readTarget, recordAdoption } from './recordAdoption';

/** The editor the link names, as the roster has them now. */
async function linkEditor(token: unknown): Promise<{ editor: Person; pieceId: string; units: Record<string, string> }> {
  const claims = await adoptionClaims(token);
  const roster = await readWithRoster(config().countyId, [claims.editorId]);
  const editor = roster.people.get(claims.editorId);
  if (editor?.role !== 'editor') throw new InvalidLinkError('此登记链接对应的编辑已不在名单中。');
  if (editor.keyVersion !== claims.keyVersion) throw new RevokedLinkError();
  if (editor.inactive) throw new InactiveLinkError();
  return { editor, pieceId: claims.pieceId, units: roster.summary.units };
}

/** The piece as the page shows it, from what recording reads. */
export function pieceSummary(
  target: AdoptionTarget,
  units: Record<string, string>,
): NonNullable<AdoptionPageInput['piece']> {
  const latest = latestRevision(target.events);
  const accepted = target.events.find((e) => e.type === 'accepted');
  return {
    receipt: latest.receipt,
    title: latest.title ?? '',
    unitName: latest.unitName ?? units[latest.unitId] ?? '',
    informantName: latest.informantName ?? '',
    kind: latest.kind,
    ...(accepted?.issueNo ? { issueNo: accepted.issueNo } : {}),
    ...(accepted ? { acceptedAt: accepted.at } : {}),
  };
}

const actionOf = (token: string) => `/adoption/${token}`;

export async function adoptionLinkView(token: string): Promise<HttpResponse> {
  const { editor, pieceId, units } = await linkEditor(token);
  const target = await readTarget(pieceId);
  return {
    status: 200,
    html: adoptionPage({
      editorName: editor.name,
      action: actionOf(token),
      piece: pieceSummary(target, units),
      adoptions: pieceAdoptions(target.items),
    }),
    json: { receipt: pieceId, adoptions: pieceAdoptions(target.items).map((a) => a.record.adoptionId) },
  };
}

export async function recordFromLinkView(
  token: string,
  fields: Record<string, unknown>,
  wantsJson: boolean,
): Promise<HttpResponse> {
  const values = adoptionValuesOf(fields);
  let checked: Awaited<ReturnType<typeof linkEditor>>;
  try {
    checked = await linkEditor(token);
  } catch (err) {
    // The store down before the link could even be checked: the form again with what was typed, nothing of the piece.
    const failure = failureOf(err);
    if (wantsJson || failure.status !== 503) throw err;
    return {
      status: 503,
      html: adoptionPage({
        action: actionOf(token),
        adoptions: [],
        values,
        notice: `${failure.message}${FORM_KEPT_NOTICE}`,
      }),
    };
  }
  const { editor, pieceId, units } = checked;
  /** The page with the piece as it stands now (if it can be read), and what happened. */
  const shown = async (status: number, extra: Partial<AdoptionPageInput>): Promise<HttpResponse> => {
    const target = await settle(() => readTarget(pieceId)).catch(() => undefined);
    return {
      status,
      html: adoptionPage({
        editorName: editor.name,
        action: actionOf(token),
        ...(target
          ? { piece: pieceSummary(target, units), adoptions: pieceAdoptions(target.items) }
          : { adoptions: [] }),
        ...extra,
      }),
    };
  };
  /** The same page again with what was typed, and why it was not recorded. */
  const again = (status: number, extra: Partial<AdoptionPageInput>) => shown(status, { values, ...extra });
  try {
    const by = { personId: editor.personId, name: editor.name };
    const result = await recordAdoption(pieceId, fields, by, { source: 'email', deliver: deliverAdoption });
    return {
      ...(await shown(200, { result })),
      json: { added: result.added, adoptionId: result.record.adoptionId, points: result.record.points },
    };
  } catch (err) {
    if (wantsJson) throw err;
    if (err instanceof ValidationError) return again(400, { errors: err.errors });
    if (err instanceof ConflictError) return again(409, { notice: err.message });
    const failure = failureOf(err);
    if (failure.status !== 503) throw err;
    return again(503, { notice: `${failure.message}${FORM_KEPT_NOTICE}` });
  }
}
