package dev.certwright.platform;

import java.time.Duration;

import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * A Quartz job that works through a backlog for at most {@link #PER_FIRING} per firing, and less when the node stops
 * ({@link JobBudgets}): what is left is taken up by the next firing, on whichever node runs it.
 */
public abstract class BudgetedJob implements Job {

    /** How long one firing may go on taking up work. */
    public static final Duration PER_FIRING = Duration.ofSeconds(50);

    private final JobBudgets budgets;

    protected BudgetedJob(JobBudgets budgets) {
        this.budgets = budgets;
    }

    @Override
    public final void execute(JobExecutionContext context) {
        run(budgets.start(PER_FIRING));
    }

    /** One firing's work, checking {@link JobBudgets.Budget#remains()} between items. */
    protected abstract void run(JobBudgets.Budget budget);
}
