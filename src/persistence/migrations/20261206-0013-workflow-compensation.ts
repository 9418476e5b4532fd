import { Migration } from '@mikro-orm/migrations';

/**
 * The workflow engine runs compensations (workflows/engine/): a run that fails for good or is
 * cancelled undoes its finished steps in reverse order before it ends.
 * - `workflow_run.status` gains `compensating`; `goal` says what the run is compensating towards
 *   (`fail` or `cancel`) and `reason` why, so a worker taking the run over (or an operator
 *   replaying a compensation that died) finishes the same undo.
 * - `workflow_run.tenant` is who the run's subject belongs to (the mall of an order line): the
 *   dead-letter list filters on it without the engine knowing what a line is.
 * - `workflow_step.compensate_input` is what a finished step recorded its compensation needs
 *   (never the whole state); compensation rows are recorded `compensating` → `compensated`, or
 *   `compensation_failed` when given up.
 */
export class Migration20261206_0013_WorkflowCompensation extends Migration {
  override name = '20261206-0013-workflow-compensation';

  override up(): void {
    this.addSql('alter table workflow_run drop constraint workflow_run_status_check');
    this.addSql("alter table workflow_run add constraint workflow_run_status_check check (status in ('pending', 'running', 'waiting', 'compensating', 'succeeded', 'failed', 'dead', 'cancelled'))");
    this.addSql("alter table workflow_run add column goal text check (goal in ('fail', 'cancel')), add column reason text, add column tenant text");
    this.addSql('update workflow_run r set tenant = l.mall_id from order_line l where l.id = r.subject_id');
    this.addSql('drop index workflow_run_due_idx');
    this.addSql("create index workflow_run_due_idx on workflow_run (next_run_at) where status in ('pending', 'running', 'waiting', 'compensating')");
    this.addSql('drop index workflow_run_dead_idx');
    this.addSql("create index workflow_run_dead_idx on workflow_run (tenant, id) where status = 'dead'");
    this.addSql('alter table workflow_step drop constraint workflow_step_status_check');
    this.addSql("alter table workflow_step add constraint workflow_step_status_check check (status in ('succeeded', 'failed', 'compensating', 'compensated', 'compensation_failed'))");
    this.addSql('alter table workflow_step add column compensate_input jsonb, add column compensates integer');
  }

  override down(): void {
    this.addSql("delete from workflow_step where status in ('compensating', 'compensation_failed')");
    this.addSql('alter table workflow_step drop column compensate_input, drop column compensates');
    this.addSql('alter table workflow_step drop constraint workflow_step_status_check');
    this.addSql("alter table workflow_step add constraint workflow_step_status_check check (status in ('succeeded', 'failed', 'compensated'))");
    this.addSql("update workflow_run set status = 'dead' where status = 'compensating'");
    this.addSql('drop index workflow_run_dead_idx');
    this.addSql("create index workflow_run_dead_idx on workflow_run (updated_at) where status = 'dead'");
    this.addSql('drop index workflow_run_due_idx');
    this.addSql("create index workflow_run_due_idx on workflow_run (next_run_at) where status in ('pending', 'running', 'waiting')");
    this.addSql('alter table workflow_run drop column goal, drop column reason, drop column tenant');
    this.addSql('alter table workflow_run drop constraint workflow_run_status_check');
    this.addSql("alter table workflow_run add constraint workflow_run_status_check check (status in ('pending', 'running', 'waiting', 'succeeded', 'failed', 'dead', 'cancelled'))");
  }
}
