// GET /mine?k=KEY (from the form) or ?m=TOKEN (the read-only link in every email to an informant) — 我的报送: the
// informant's pieces this year, with status, decisions and feedback, and their unit's count this month.
import { myPieces } from '../shared/mine/myPieces';
import { minePage } from '../shared/mine/page';
import { httpHandler } from '../shared/web/http';

export const handler = httpHandler(async (request) => {
  const view = await myPieces({ k: request.query.k, m: request.query.m });
  return {
    status: 200,
    html: minePage(view),
    json: {
      year: view.year,
      unitThisMonth: view.unitThisMonth,
      pieces: view.pieces.map((p) => ({
        receipt: p.receipt,
        title: p.title,
        status: p.status,
        revision: p.revision,
        ...(p.issueNo ? { issueNo: p.issueNo } : {}),
        decisions: p.decisions.map((d) => ({ type: d.type, revision: d.revision, comment: d.comment ?? null })),
      })),
    },
  };
});
