// The spreadsheet libraries, imported here statically (so the bundle keeps only what baosong calls of them) and
// loaded by read.ts and write.ts with a dynamic import of this module (so a function pays for them when a file is
// read or written, not at every cold start).
export { unzipSync } from 'fflate';
export { default as Papa } from 'papaparse';
export { readSheet } from 'read-excel-file/universal';
