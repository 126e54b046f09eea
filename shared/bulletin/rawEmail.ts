// The MIME composer as the bulletin loads it: a module of its own in a deployed function (LAZY_MODULES), so the
// job's cold start does not pay for nodemailer until it sends.
export { sendEmailWithAttachments } from '../mail/rawEmail';
