/**
 * The design's single table, built from the same TableDefinition both
 * engines use (src/ports/item-store/table.ts), as a global table with a
 * replica in the secondary region (disaster-recovery.ts), and its weekly
 * backups, copied to that region too.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableV2,
  type ITableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IndexName, TableDefinition } from '../../src/ports/item-store/table.ts';
import { secondaryVault, type DisasterRecoverySettings } from './disaster-recovery.ts';

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
  readonly table: ITableV2;
  readonly backupPlan: BackupPlan;

  constructor(
    scope: Construct,
    id: string,
    props: { definition: TableDefinition; stage: string; recovery: DisasterRecoverySettings },
  ) {
    super(scope, id);
    const { definition, recovery } = props;
    if (recovery.failover) {
      // Failing over: the global table's replica here is the table, still owned by the lost region's
      // stack; its indexes are named so that grants reach them.
      this.table = TableV2.fromTableAttributes(this, 'Table', {
        tableName: definition.name,
        tableStreamArn: recovery.failover.replicaStreamArn,
        globalIndexes: definition.indexes.map((index) => index.name),
      });
    } else {
      this.table = this.globalTable(definition, recovery);
    }
    this.backupPlan = this.weeklyBackups(props.stage, recovery);
  }

  private globalTable(definition: TableDefinition, recovery: DisasterRecoverySettings): TableV2 {
    // The replica takes every write within a second or so (asynchronous, last writer wins), and
    // inherits point-in-time recovery, deletion protection and the stream. Its stream has no
    // reader while this region serves: the consumers run here, and a write replicated there
    // appears in its stream too, so consumers in both regions would act on each change twice.
    return new TableV2(this, 'Table', {
      tableName: definition.name,
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: definition.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: definition.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: definition.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: index.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
      })),
      replicas: [{ region: recovery.secondaryRegion }],
    });
  }

  private weeklyBackups(stage: string, recovery: DisasterRecoverySettings): BackupPlan {
    // Point-in-time recovery covers 35 days; weekly backups reach further back, and their copies
    // in the secondary region survive the loss of this one (and a mistake replicated to both).
    const vault = new BackupVault(this, 'Vault', {
      backupVaultName: `plaza-${stage}`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const retention = Duration.days(recovery.backupRetentionDays);
    // Failing over, the lost region has no vault to copy to.
    const copyActions = recovery.failover
      ? []
      : [
          {
            destinationBackupVault: secondaryVault(this, 'SecondaryVault', stage, recovery.secondaryRegion),
            deleteAfter: retention,
          },
        ];
    const plan = new BackupPlan(this, 'Backups', {
      backupPlanName: `plaza-${stage}-table`,
      backupVault: vault,
      backupPlanRules: [
        new BackupPlanRule({ ...BackupPlanRule.weekly(vault).props, deleteAfter: retention, copyActions }),
      ],
    });
    plan.addSelection('Table', { resources: [BackupResource.fromDynamoDbTable(this.table)] });
    return plan;
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
