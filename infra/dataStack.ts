// What a county's baosong keeps, in a stack of its own: the table, the bucket of the pieces' uploaded originals, the
// link-signing keys, and the mail identity (SES with Easy DKIM and a configuration set, or the SMTP server's
// credentials). Termination protection and RETAIN on everything: the app stack (infra/appStack.ts) can be destroyed
// and deployed again onto the same data, and every link in people's mailboxes keeps working.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { createTableInput, TTL_ATTRIBUTE } from '../shared/store/tableDefinition';
import { type DataRefs, filesBucketName, LOG_RETENTION_DAYS } from './baosongFunction';

export interface BaosongDataStackProps extends StackProps {
  countyId: string;
  /** How mail leaves: through SES as `sender` (its domain verified here with Easy DKIM), or an SMTP server. */
  mailTransport: 'ses' | 'smtp';
  sender: string;
  /** The SES domain identity exists already (another county of the same account sends from the same domain). */
  sesIdentityExists?: boolean;
}

/** The configuration set every SES send names, so that bounces and complaints come back as events. */
export const configurationSetName = (countyId: string) => `baosong-${countyId}`;

export class BaosongDataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly filesBucket: s3.Bucket;
  readonly signingKey: secretsmanager.Secret;
  readonly smtpCredentials?: secretsmanager.Secret;
  readonly configurationSet?: ses.ConfigurationSet;

  constructor(scope: Construct, id: string, props: BaosongDataStackProps) {
    super(scope, id, { terminationProtection: true, ...props });

    this.table = tableFromDefinition(this, 'Table');
    this.filesBucket = filesBucketWithAccessLogs(this, filesBucketName(props.countyId, this.account));

    this.signingKey = new secretsmanager.Secret(this, 'SigningKey', {
      description: `baosong ${props.countyId}: the keys that sign personal, review and desk links`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Every link in people's mailboxes is signed with a key kept here.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The keys rotate by `npm run admin -- keys rotate`: a new key signs from then on while the old one ' +
        'verifies the links already sent until its stated retirement date. A rotation Lambda replacing the value ' +
        "would break every link in people's mailboxes at once.",
    });

    if (props.mailTransport === 'smtp') {
      this.smtpCredentials = new secretsmanager.Secret(this, 'SmtpCredentials', {
        description: `baosong ${props.countyId}: the SMTP server's user name and password ({"username","password"})`,
        // A placeholder the operator replaces with the mail server's account (README: mainland China).
        generateSecretString: { secretStringTemplate: JSON.stringify({ username: '' }), generateStringKey: 'password' },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(this.smtpCredentials).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "The mail server's account is set by its administrator, who changes it there and here together; a " +
          'rotation Lambda cannot change a password on a government mail server.',
      });
    } else {
      const domain = props.sender.slice(props.sender.lastIndexOf('@') + 1);
      if (!props.sesIdentityExists) {
        const identity = new ses.EmailIdentity(this, 'SenderDomain', {
          identity: ses.Identity.domain(domain),
          // Easy DKIM: three CNAME records the county's DNS administrator publishes (outputs below).
          dkimSigning: true,
        });
        identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
        identity.dkimRecords.forEach((record, i) => {
          new CfnOutput(this, `DkimRecord${i + 1}`, {
            description: `CNAME record ${i + 1} of 3 to publish in the DNS of ${domain}`,
            value: `${record.name} CNAME ${record.value}`,
          });
        });
      }
      this.configurationSet = new ses.ConfigurationSet(this, 'Mail', {
        configurationSetName: configurationSetName(props.countyId),
        reputationMetrics: true,
        // Bounces and complaints also keep an address from being mailed again (SES's own list, beside ours).
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      });
      this.configurationSet.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }

    // Exported whether or not the app imports them now: an app pointed at a restored table (the restore drill) stops
    // importing them, and CloudFormation refuses to drop an export the deployed app still uses.
    this.exportValue(this.table.tableName);
    this.exportValue(this.table.tableArn);
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'FilesBucketName', { value: this.filesBucket.bucketName });
    new CfnOutput(this, 'SecretArn', { value: this.signingKey.secretArn });
    if (this.smtpCredentials) new CfnOutput(this, 'SmtpSecretArn', { value: this.smtpCredentials.secretArn });
  }

  /** What the app stack's functions reach (the bucket by its name, made there: filesBucketName). */
  refs(): Omit<DataRefs, 'filesBucket'> {
    return {
      tableName: this.table.tableName,
      tableArn: this.table.tableArn,
      signingKey: this.signingKey,
      smtpCredentials: this.smtpCredentials,
    };
  }
}

/** The CDK table built from shared/store/tableDefinition.ts, the same definition local creation (dynalite) uses. */
function tableFromDefinition(scope: Construct, id: string): dynamodb.Table {
  const definition = createTableInput('unused');
  const attributeTypes = new Map(
    (definition.AttributeDefinitions ?? []).map((a) => [a.AttributeName, attributeType(a.AttributeType)]),
  );
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) => {
    const key = (keyType: string): dynamodb.Attribute | undefined => {
      const name = schema?.find((k) => k.KeyType === keyType)?.AttributeName;
      if (name === undefined) return undefined;
      const type = attributeTypes.get(name);
      if (!type) throw new Error(`Table definition: no attribute definition for key ${name}`);
      return { name, type };
    };
    const partitionKey = key('HASH');
    if (!partitionKey) throw new Error('Table definition: a key schema has no HASH key');
    return { partitionKey, sortKey: key('RANGE') };
  };

  const table = new dynamodb.Table(scope, id, {
    ...keys(definition.KeySchema),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    // Claims, throttle markers, link requests and desk sessions carry their end; DynamoDB deletes them some time
    // after.
    timeToLiveAttribute: TTL_ATTRIBUTE,
  });
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    if (!index.IndexName) throw new Error('Table definition: an index has no name');
    table.addGlobalSecondaryIndex({
      indexName: index.IndexName,
      ...keys(index.KeySchema),
      projectionType: projectionType(index.Projection?.ProjectionType),
      nonKeyAttributes: index.Projection?.NonKeyAttributes,
    });
  }
  return table;
}

/** Where the files bucket's server access logs go in the access-log bucket. */
const FILES_ACCESS_LOG_PREFIX = 'files/';

/**
 * The bucket of the pieces' uploaded originals (.docx, .pdf, images), and a bucket of its own for its server access
 * logs: who fetched or wrote which original, kept apart so the functions' grants never reach the record of them.
 */
function filesBucketWithAccessLogs(scope: Construct, bucketName: string): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, 'FilesAccessLogs', {
    // S3 delivers server access logs only to a bucket encrypted with S3-managed keys.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    // As long as the functions' and the API's logs (the law asks for at least six months).
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(LOG_RETENTION_DAYS) }],
  });
  // No access logs of its own (they would need yet another bucket): cdk-nag's AwsSolutions-S1 already passes a
  // bucket that is another bucket's log target, so there is no finding to acknowledge.

  const files = new s3.Bucket(scope, 'FilesBucket', {
    bucketName,
    // S3-managed keys: the objects are reached only through this stack's function roles (no public access, no
    // other grants), so a customer-managed KMS key would add a key policy, per-request KMS calls and kms grants
    // beside each function's route-table actions, without keeping out anyone who could not grant themselves both.
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // A DeleteObject (the functions have no version actions) only hides an original behind a delete marker, so a
    // mistaken or malicious delete can be undone.
    versioned: true,
    // The originals outlive the stack, as the table that names them does.
    removalPolicy: RemovalPolicy.RETAIN,
    autoDeleteObjects: false,
    lifecycleRules: [
      {
        id: 'TidyUploads',
        // The code puts each file whole; a multipart upload left incomplete (a tool's, or a future change's) is dead
        // long before this, since no Lambda runs for more than 15 minutes.
        abortIncompleteMultipartUploadAfter: Duration.days(3),
        // Keys are never overwritten (one per upload), so old versions are deleted files: the sweeper's orphan
        // uploads and any mistaken delete. A quarter is long enough to notice and restore a wrong delete; after it
        // the orphans stop costing.
        noncurrentVersionExpiration: Duration.days(90),
        // The delete markers left once their versions have expired.
        expiredObjectDeleteMarker: true,
      },
    ],
  });

  // Delivered under the bucket policy below (rather than the legacy LogDeliveryWrite ACL CDK uses without the
  // serverAccessLogsUseBucketPolicy flag), so both buckets keep ACLs disabled.
  (files.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: accessLogs.bucketName,
    logFilePrefix: FILES_ACCESS_LOG_PREFIX,
  };
  accessLogs.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [accessLogs.arnForObjects(`${FILES_ACCESS_LOG_PREFIX}*`)],
      // Only the files bucket's logs, from this account (confused deputy).
      conditions: {
        ArnLike: { 'aws:SourceArn': files.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
      },
    }),
  );
  return files;
}

function attributeType(type: string | undefined): dynamodb.AttributeType {
  switch (type) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
    default:
      throw new Error(`Table definition: unknown attribute type ${type}`);
  }
}

function projectionType(type: string | undefined): dynamodb.ProjectionType {
  switch (type) {
    case 'ALL':
    case undefined:
      return dynamodb.ProjectionType.ALL;
    case 'KEYS_ONLY':
      return dynamodb.ProjectionType.KEYS_ONLY;
    case 'INCLUDE':
      return dynamodb.ProjectionType.INCLUDE;
    default:
      throw new Error(`Table definition: unknown projection type ${type}`);
  }
}
