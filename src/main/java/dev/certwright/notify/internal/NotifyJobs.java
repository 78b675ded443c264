package dev.certwright.notify.internal;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Trigger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.platform.BudgetedJob;
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
        return QuartzSchedules.afterStartup(noticeJob(), "notices", properties.scanInterval());
    }
}

/** Records what crossed a threshold, then sends what is due, for at most 50 seconds, less when the node stops. */
@DisallowConcurrentExecution
class NoticeJob extends BudgetedJob {

    private final NoticeService notices;

    NoticeJob(NoticeService notices, JobBudgets budgets) {
        super(budgets);
        this.notices = notices;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        notices.scanExpiring();
        notices.deliverDue(budget);
    }
}
