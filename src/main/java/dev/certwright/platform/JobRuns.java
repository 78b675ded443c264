package dev.certwright.platform;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.impl.matchers.GroupMatcher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The Quartz jobs as operators see them: triggers with last and next fire times, the last outcome, and "run now". */
@Component
public class JobRuns {

    private final Scheduler scheduler;
    private final JdbcClient jdbc;

    JobRuns(Scheduler scheduler, JdbcClient jdbc) {
        this.scheduler = scheduler;
        this.jdbc = jdbc;
    }

    /** One job: its trigger's times and its last recorded run (null fields: not run yet). */
    public record JobView(String group, String name, String description, Instant previousFire, Instant nextFire, Long intervalSeconds,
            String state, String lastNode, Instant lastStarted, Long lastDurationMs, String lastOutcome, String lastError) {
    }

    private record LastRun(String group, String name, String node, Instant started, long durationMs, String outcome, String error) {
    }

    public List<JobView> list() {
        Map<String, LastRun> last = jdbc.sql("SELECT job_group, job_name, node, started_at, duration_ms, outcome, error FROM job_run")
                .query((rs, i) -> new LastRun(rs.getString(1), rs.getString(2), rs.getString(3), Timestamps.read(rs, "started_at"), rs.getLong(5),
                        rs.getString(6), rs.getString(7)))
                .list().stream().collect(Collectors.toMap(r -> r.group() + "/" + r.name(), Function.identity()));
        List<JobView> out = new ArrayList<>();
        try {
            for (JobKey key : scheduler.getJobKeys(GroupMatcher.anyJobGroup())) {
                String description = scheduler.getJobDetail(key).getDescription();
                LastRun run = last.get(key.getGroup() + "/" + key.getName());
                List<? extends Trigger> triggers = scheduler.getTriggersOfJob(key);
                Trigger trigger = triggers.isEmpty() ? null : triggers.get(0);
                Long interval = trigger instanceof org.quartz.SimpleTrigger simple ? simple.getRepeatInterval() / 1000 : null;
                String state = trigger == null ? "NONE" : scheduler.getTriggerState(trigger.getKey()).name();
                out.add(new JobView(key.getGroup(), key.getName(), description, instant(trigger == null ? null : trigger.getPreviousFireTime()),
                        instant(trigger == null ? null : trigger.getNextFireTime()), interval, state, run == null ? null : run.node(),
                        run == null ? null : run.started(), run == null ? null : run.durationMs(), run == null ? null : run.outcome(),
                        run == null ? null : run.error()));
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot read the Quartz jobs", e);
        }
        out.sort(Comparator.comparing(JobView::group).thenComparing(JobView::name));
        return out;
    }

    /** Fires a job once now, on whichever node the cluster picks; false when there is no such job. */
    public boolean runNow(String group, String name) {
        try {
            JobKey key = JobKey.jobKey(name, group);
            if (!scheduler.checkExists(key)) {
                return false;
            }
            scheduler.triggerJob(key);
            return true;
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot trigger job " + group + "/" + name, e);
        }
    }

    private static Instant instant(java.util.Date date) {
        return date == null ? null : date.toInstant();
    }
}
