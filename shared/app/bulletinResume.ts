// The 通报's sending as the sweeper loads it: a module of its own in a deployed function (LAZY_MODULES), loaded only
// when a run waits in the outbox (queued from the desk, or a job that stopped), so the sweeper's every-minute start
// does not carry the 通报.
export { resumeRun } from '../bulletin/sendBulletin';
