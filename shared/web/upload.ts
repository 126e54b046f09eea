// Routes that take a file from a form (the desk's roster upload): middy's multipart body parser on the shared HTTP
// frame. Its own module, so only the functions that take files bundle the parser (busboy).
import httpMultipartBodyParser from '@middy/http-multipart-body-parser';
import { type Handler, type HttpRequest, type HttpResponse, httpHandler, type UploadOptions } from './http';

/** `maxBytes`: the most a request may carry (the file and the form's fields); more is 413 with a Chinese page. */
export function uploadHandler(fn: (request: HttpRequest) => Promise<HttpResponse>, maxBytes: number): Handler {
  return httpHandler(fn, {
    upload: {
      maxBytes,
      parser: httpMultipartBodyParser({
        disableContentTypeError: true,
        busboy: { limits: { fileSize: maxBytes, files: 1, fields: 20 } },
        // Its typing expects a body already parsed; it takes the raw event like the other parsers.
      }) as unknown as UploadOptions['parser'],
    },
  });
}
