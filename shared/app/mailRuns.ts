// The mail runs as the sweeper loads them: a module of its own in a deployed function (LAZY_MODULES), loaded only
// when a run waits in the outbox (queued from the desk, or a job that stopped), so the sweeper's every-minute start
// does not carry the 通报 or the quarterly research status.
export { resumeBulletin } from '../bulletin/sendBulletin';
export { resumeQuarterly } from '../research/quarterly';
