// The default route: whatever path no route knows. A link cut short by a mail client lands here, so the answer is
// the Chinese page that says what to do (or a structured JSON error); `/favicon.ico` gets the site's icon.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { notFoundHandler } from '../shared/web/notFound';
import { FAVICON_SVG } from '../shared/web/pages';

export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const method = event.requestContext?.http?.method ?? 'GET';
  if (event.rawPath === '/favicon.ico' && (method === 'GET' || method === 'HEAD')) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' },
      body: method === 'HEAD' ? '' : FAVICON_SVG,
    };
  }
  return (await notFoundHandler(event, context)) as APIGatewayProxyStructuredResultV2;
};
