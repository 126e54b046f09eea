// Routes that take a file from a form (the desk's roster upload): middy's multipart body parser on the shared HTTP
// frame. The parser (busboy) is a file of its own beside the bundle (./multipart.js), loaded with the first multipart
// body, so the function's other requests (form posts) and its cold start do not pay for it.
import type { Handler, HttpRequest, HttpResponse, UploadOptions } from './http';
import { httpHandler } from './http';

type Parser = UploadOptions['parser'];
type Before = NonNullable<Parser['before']>;

/**
 * `maxBytes`: the most a request may carry (the files and the form's fields); more is 413 with a Chinese page.
 * `maxFiles`: files read at most (the use case counts them and says when there are too many). `tooLarge`: what a
 * request over `maxBytes` is told.
 */
export function uploadHandler(
  fn: (request: HttpRequest) => Promise<HttpResponse>,
  maxBytes: number,
  maxFiles = 1,
  tooLarge?: string,
): Handler {
  let parser: Promise<Parser> | undefined;
  const load = () =>
    import('./multipart.js').then(
      ({ httpMultipartBodyParser }) =>
        httpMultipartBodyParser({
          disableContentTypeError: true,
          busboy: { limits: { fileSize: maxBytes, files: maxFiles, fields: 20 } },
          // Its typing expects a body already parsed; it takes the raw event like the other parsers.
        }) as unknown as Parser,
    );
  const before: Before = async (request) => {
    if (!/^multipart\/form-data/i.test(request.event.headers?.['content-type'] ?? '')) return;
    parser ??= load();
    return (await parser).before?.(request);
  };
  return httpHandler(fn, { upload: { maxBytes, tooLarge, parser: { before } } });
}
