// Run by bench/bundles.ts in a fresh Node process (plain CJS, nothing else loaded first): the time to require one
// bundle and resolve its `handler`, as a Lambda cold start's init phase does. Prints milliseconds on stdout.
// Also run under callgrind, where the same loader with an empty bundle is the cost subtracted.
'use strict';

const bundle = process.argv[2];
if (!bundle) {
  console.error('usage: node loadBundle.cjs <bundle.js>');
  process.exit(2);
}
const started = process.hrtime.bigint();
const { handler } = require(bundle);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
if (typeof handler !== 'function') {
  console.error(`${bundle} exports no handler function`);
  process.exit(1);
}
process.stdout.write(`${ms}\n`);
