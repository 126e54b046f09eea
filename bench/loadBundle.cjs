// Run by bench/bundles.ts in a fresh Node process (plain CJS, nothing else loaded first): the time a Lambda cold start
// spends before its first request runs: require the function's index.js and resolve `handler`, and, for an HTTP
// function, load the handler module of its first route as its router does (`modules[name]()`). Prints milliseconds.
// Also run under callgrind, where the same loader with an empty bundle is the cost subtracted.
'use strict';

const [bundle, route] = process.argv.slice(2);
if (!bundle) {
  console.error('usage: node loadBundle.cjs <index.js> [handler module]');
  process.exit(2);
}
const started = process.hrtime.bigint();
const loaded = require(bundle);
const done = (handler) => {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (typeof handler !== 'function') {
    console.error(`${bundle} ${route ?? ''} exports no handler function`);
    process.exit(1);
  }
  process.stdout.write(`${ms}\n`);
};
if (route) {
  loaded.modules[route]().then(
    (module) => done(module.handler),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  done(loaded.handler);
}
