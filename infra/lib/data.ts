/**
 * The design's single table, built from the same TableDefinition both
 * engines use (src/ports/item-store/table.ts), and its weekly backups.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IndexName, TableDefinition } from '../../src/ports/item-store/table.ts';

/** The item operations a function may use, by name ("GetItem", "Query", …); nothing else is granted. */
export type ItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

export class PlazaTable extends Construct {
  readonly table: Table;
  readonly backupPlan: BackupPlan;

  constructor(scope: Construct, id: string, props: { definition: TableDefinition; stage: string }) {
    super(scope, id);
    const { definition } = props;
    this.table = new Table(this, 'Table', {
      tableName: definition.name,
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: definition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: definition.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: index.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
      });
    }

    // Point-in-time recovery covers 35 days; weekly backups, kept three months, reach further back.
    const vault = new BackupVault(this, 'Vault', {
      backupVaultName: `plaza-${props.stage}`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = new BackupPlan(this, 'Backups', {
      backupPlanName: `plaza-${props.stage}-table`,
      backupVault: vault,
      backupPlanRules: [BackupPlanRule.weekly(vault)],
    });
    this.backupPlan.addSelection('Table', { resources: [BackupResource.fromDynamoDbTable(this.table)] });
  }

  /** Grants these item operations on the table and its indexes, and no others. */
  grantItems(grantee: IGrantable, ...actions: ItemAction[]): void {
    this.table.grant(grantee, ...actions.map((action) => `dynamodb:${action}`));
  }

  /** Grants these item operations on the table alone, and Query on the named indexes alone. */
  grantItemsAndIndexQueries(grantee: IGrantable, indexes: IndexName[], ...actions: ItemAction[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [this.table.tableArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((index) => `${this.table.tableArn}/index/${index}`),
      }),
    );
  }
}
