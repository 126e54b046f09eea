// The bundles replace DynamoDB's endpoint discovery with its "off" (infra/endpointDiscovery.ts) because no operation
// baosong calls uses it. That holds only as long as none of those operations adds the discovery middleware: this
// fails the day an SDK upgrade makes one of them do so, before a deploy could ship a client missing what it needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handlers, jobs } from '../../shared/web/routes';

const commands = join(__dirname, '../../node_modules/@aws-sdk/client-dynamodb/dist-es/commands');
const used = [...new Set([...Object.values(handlers), ...Object.values(jobs)].flatMap((h) => [...h.table]))];

describe('DynamoDB endpoint discovery, left out of the bundles', () => {
  it.each(used)('is not used by %s, an operation baosong calls', (action) => {
    const source = readFileSync(join(commands, `${action}Command.js`), 'utf8');

    expect(source).toContain(`"${action}"`);
    expect(source).not.toMatch(/EndpointDiscovery|endpointDiscovery/);
  });

  it('is turned off by the stand-in, whatever the environment says', async () => {
    const { NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS, resolveEndpointDiscoveryConfig } = await import(
      '../../infra/endpointDiscovery'
    );
    const resolved = resolveEndpointDiscoveryConfig({ region: 'cn-north-1' }, {});

    expect(await resolved.endpointDiscoveryEnabled()).toBe(false);
    expect(NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS.environmentVariableSelector()).toBeUndefined();
  });
});
