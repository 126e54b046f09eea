// SNS subscriber (the SES configuration set's bounce and complaint events): each recorded on the person it was for,
// so mail to a bounced or complaining address stops. A message it cannot read is skipped; a store failure throws, so
// Lambda delivers the event again (recording is idempotent per SES event and recipient).
import type { SNSEvent } from 'aws-lambda';
import { log } from '../shared/core/log';
import { type MailEventsResult, recordMailEvents } from '../shared/roster/recordMailEvents';

export const handler = async (event: SNSEvent): Promise<MailEventsResult> => {
  const messages = (event?.Records ?? [])
    .map((record) => record?.Sns?.Message)
    .filter((message): message is string => typeof message === 'string');
  const result = await recordMailEvents(messages);
  log.info('mail events recorded', { ...result });
  return result;
};
