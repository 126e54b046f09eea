// The .docx writer as the desk loads it: a module of its own in a deployed function (LAZY_MODULES), so the desk's
// pages start without the Word library.
export { bulletinDocx } from '../bulletin/bulletinDocx';
