// The entry of every HTTP function (the asset's index.js): the router of shared/web/router.ts, and each route's
// handler module as a file of its own beside it, loaded by the first request that needs it. A deploy builds only the
// modules of the function's own routes (infra/functionBuild.ts); BAOSONG_FUNCTION names the function.
import { createRouter, type ModuleLoaders } from '../shared/web/router';
import type { HttpFunctionName } from '../shared/web/routes';

export const modules: ModuleLoaders = {
  home: () => import('./home.js'),
  requestLink: () => import('./requestLink.js'),
  submitForm: () => import('./submitForm.js'),
  createSubmission: () => import('./createSubmission.js'),
  showSubmission: () => import('./showSubmission.js'),
  reviewPage: () => import('./reviewPage.js'),
  decide: () => import('./decide.js'),
  reviseForm: () => import('./reviseForm.js'),
  revise: () => import('./revise.js'),
  pieceFile: () => import('./pieceFile.js'),
  renewLink: () => import('./renewLink.js'),
  desk: () => import('./desk.js'),
  deskExport: () => import('./deskExport.js'),
  mine: () => import('./mine.js'),
  deskDecide: () => import('./deskDecide.js'),
  deskRoster: () => import('./deskRoster.js'),
  deskPerson: () => import('./deskPerson.js'),
  adoptionPage: () => import('./adoptionPage.js'),
  adoptionRecord: () => import('./adoptionRecord.js'),
  deskRecords: () => import('./deskRecords.js'),
  deskAdoption: () => import('./deskAdoption.js'),
  deskAdoptionImport: () => import('./deskAdoptionImport.js'),
  deskScores: () => import('./deskScores.js'),
  deskTopics: () => import('./deskTopics.js'),
  deskTasks: () => import('./deskTasks.js'),
  deskBulletin: () => import('./deskBulletin.js'),
  deskAudit: () => import('./deskAudit.js'),
  deskSignin: () => import('./deskSignin.js'),
  bulletinView: () => import('./bulletinView.js'),
  methodNotAllowed: () => import('./methodNotAllowed.js'),
  fallback: () => import('./fallback.js'),
};

export const handler = createRouter(process.env.BAOSONG_FUNCTION as HttpFunctionName | undefined, modules);
