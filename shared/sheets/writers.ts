// The spreadsheet writers, imported here statically (so the bundle keeps only what baosong calls of them) and loaded
// by write.ts with a dynamic import of this module (so a function pays for them when a file is written).
export { stringify } from 'csv-stringify/sync';
export { default as writeXlsxFile } from 'write-excel-file/node';
