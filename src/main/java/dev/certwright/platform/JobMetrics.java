package dev.certwright.platform;

import java.util.concurrent.TimeUnit;

import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.listeners.JobListenerSupport;
import org.springframework.boot.quartz.autoconfigure.SchedulerFactoryBeanCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** {@code certwright.job.duration}: how long each Quartz job ran on this node, by job and outcome. */
@Configuration(proxyBeanMethods = false)
class JobMetrics {

    @Bean
    SchedulerFactoryBeanCustomizer jobDurationListener(MeterRegistry meters) {
        return factory -> factory.setGlobalJobListeners(new JobListenerSupport() {
            @Override
            public String getName() {
                return "certwright-job-metrics";
            }

            @Override
            public void jobWasExecuted(JobExecutionContext context, JobExecutionException failure) {
                Timer.builder("certwright.job.duration").description("Quartz job run time on this node")
                        .tag("job", context.getJobDetail().getKey().getName()).tag("outcome", failure == null ? "success" : "failure")
                        .register(meters).record(context.getJobRunTime(), TimeUnit.MILLISECONDS);
            }
        });
    }
}
