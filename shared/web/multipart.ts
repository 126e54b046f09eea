// middy's multipart body parser (busboy under it), for the routes that take a file: a file of its own beside a
// deployed function's bundle (infra/baosongFunction.ts LAZY_MODULES), loaded with the first multipart body, so the
// function's cold start and its other requests do not parse it.
export { default as httpMultipartBodyParser } from '@middy/http-multipart-body-parser';
