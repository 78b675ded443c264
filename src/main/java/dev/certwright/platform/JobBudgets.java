package dev.certwright.platform;

import java.time.Duration;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * How long a Quartz job may go on working: until its time budget is spent, or until this node starts to shut down.
 * <p>
 * The scheduler waits for running jobs when the node stops ({@code spring.quartz.wait-for-jobs-to-complete-on-shutdown}),
 * so that no fired trigger is left behind: with the clustered job store, a job that dies with its node keeps its
 * trigger blocked on every other node until cluster recovery notices the node is gone (about twenty seconds). Jobs
 * that loop check {@link Budget#remains()} between items, so that the wait is the length of one item, not of the
 * whole budget.
 */
@Component
public class JobBudgets {

    private volatile boolean closing;

    /** Published first when the context closes, before the scheduler is stopped and shut down. */
    @EventListener(ContextClosedEvent.class)
    void closing() {
        closing = true;
    }

    /** A budget of {@code limit} from now. */
    public Budget start(Duration limit) {
        return new Budget(System.nanoTime() + limit.toNanos());
    }

    /** One job run's budget. */
    public final class Budget {

        private final long deadline;

        private Budget(long deadline) {
            this.deadline = deadline;
        }

        /** Whether the job may take on another item. */
        public boolean remains() {
            return !closing && System.nanoTime() - deadline < 0;
        }
    }
}
