package dev.certwright.notify;

import java.time.Duration;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.platform.JobBudgets;
import dev.certwright.platform.QuartzSchedules;

/** The notice job, every {@code certwright.notify.scan-interval}, on one node at a time. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NotifyProperties.class)
class NotifyJobs {

    @Bean
    JobDetail noticeJob() {
        return JobBuilder.newJob(NoticeJob.class).withIdentity("notices", "notify")
                .withDescription("Records expiry notices and delivers pending notices").storeDurably().build();
    }

    @Bean
    Trigger noticeTrigger(NotifyProperties properties) {
        return QuartzSchedules.every(noticeJob(), "notices", properties.scanInterval());
    }
}

/** Records what crossed a threshold, then sends what is due, for at most 50 seconds, less when the node stops. */
@DisallowConcurrentExecution
class NoticeJob implements Job {

    private final NoticeService notices;
    private final JobBudgets budgets;

    NoticeJob(NoticeService notices, JobBudgets budgets) {
        this.notices = notices;
        this.budgets = budgets;
    }

    @Override
    public void execute(JobExecutionContext context) {
        notices.scanExpiring();
        notices.deliverDue(budgets.start(Duration.ofSeconds(50)));
    }
}
