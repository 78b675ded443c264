package dev.certwright.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.quartz.JobDetail;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

/** Triggers for the modules' Quartz jobs. */
public final class QuartzSchedules {

    private QuartzSchedules() {
    }

    /**
     * Fires {@code job} now and then every {@code interval}, forever; a firing missed while no node ran is replaced by
     * the next one, not caught up.
     */
    public static Trigger every(JobDetail job, String name, Duration interval) {
        return every(job, name, interval, Duration.ZERO);
    }

    /** How long after a node starts a job whose work grows with the inventory fires first (at most one interval). */
    public static final Duration STARTUP_GRACE = Duration.ofSeconds(15);

    /**
     * As {@link #every(JobDetail, String, Duration)}, but fires first {@link #STARTUP_GRACE} or one interval from now,
     * whichever comes first: for a job whose work grows with the inventory, so that it does not compete with the node's
     * startup (at 3M rows the notice scan and the inventory snapshot took 4 s of the two cores as the node started).
     */
    public static Trigger afterStartup(JobDetail job, String name, Duration interval) {
        return every(job, name, interval, interval.compareTo(STARTUP_GRACE) < 0 ? interval : STARTUP_GRACE);
    }

    private static Trigger every(JobDetail job, String name, Duration interval, Duration firstAfter) {
        return TriggerBuilder.newTrigger().forJob(job).withIdentity(name, job.getKey().getGroup())
                .startAt(Date.from(Instant.now().plus(firstAfter)))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(interval.toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
    }
}
