import { failureOf } from '../../../shared/web/http';

/** An error as middy raises it, with the package that raised it as its cause. */
const middyError = (message: string, pkg: string) => Object.assign(new Error(message), { cause: { package: pkg } });

describe('the one mapping from errors to answers', () => {
  it("answers middy's early time-out as 503 (try again), not as the client's mistake", () => {
    const failure = failureOf(middyError('[AbortError]: The operation was aborted.', '@middy/core'));

    expect(failure).toMatchObject({ status: 503, code: 'unavailable' });
    expect(failure.errors).toBeUndefined();
  });

  it('answers a body the parsers cannot read as 400 with a message on the body field', () => {
    for (const pkg of ['@middy/http-json-body-parser', '@middy/http-urlencode-body-parser']) {
      expect(failureOf(middyError('Invalid or malformed JSON was provided', pkg))).toMatchObject({
        status: 400,
        errors: [{ field: 'body', message: '提交的内容无法解析，请检查格式。' }],
      });
    }
  });

  it('answers a call stopped by the request budget as 503', () => {
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });

    expect(failureOf(aborted)).toMatchObject({ status: 503, code: 'unavailable' });
  });

  it('answers an unreachable store as 503, also when the SDK wrapped the network error', () => {
    const wrapped = new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:8000');

    expect(failureOf(wrapped)).toMatchObject({ status: 503 });
  });
});
