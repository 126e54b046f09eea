// Preloaded by the local scripts (`npm start`, `npm run admin`, `npm run bench`): middy 7 publishes ESM behind an
// `import`-only export map, which tsx's CommonJS require does not follow. This resolves @middy/* with the `import`
// condition as well, and Node 22 loads the ESM through require(). Lambda bundles (esbuild) and jest (moduleNameMapper)
// resolve them on their own.
'use strict';
const { registerHooks } = require('node:module');

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('@middy/')) {
      return nextResolve(specifier, { ...context, conditions: [...(context.conditions ?? []), 'import'] });
    }
    return nextResolve(specifier, context);
  },
});
