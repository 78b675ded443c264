package dev.certwright.platform;

import java.time.Duration;

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
        return TriggerBuilder.newTrigger().forJob(job).withIdentity(name, job.getKey().getGroup()).startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(interval.toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
    }
}
