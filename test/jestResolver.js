// jest's resolver: a relative `./name.js` imported by the repo's own code finds `./name.ts` beside it, as tsx and
// TypeScript resolve it. That is how the lazily loaded modules (`import('./libraries.js')`) and the HTTP router's
// handler modules (`import('./desk.js')`) are written: each is a file of its own in a deployed function. A library's
// own `require('./objects.js')` is left to jest's resolver, which moduleNameMapper could not tell apart.
const { existsSync } = require('node:fs');
const path = require('node:path');

module.exports = (request, options) => {
  const own = !options.basedir.split(path.sep).includes('node_modules');
  if (own && /^\.\.?\//.test(request) && request.endsWith('.js')) {
    const source = path.resolve(options.basedir, `${request.slice(0, -3)}.ts`);
    if (existsSync(source)) return source;
  }
  return options.defaultResolver(request, options);
};
