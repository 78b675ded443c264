package dev.certwright.platform.internal;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.quartz.autoconfigure.QuartzProperties;
import org.springframework.boot.quartz.autoconfigure.SchedulerFactoryBeanCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.platform.SingleProcessDatabase;

/**
 * Quartz's JDBC job store is clustered ({@code org.quartz.jobStore.isClustered=true}) where several nodes can share the
 * database, and not on an embedded H2 that only this process can open (decision 73). A clustered store recovers what a
 * killed node left (a trigger it had acquired, a job it was running, which blocks a job that disallows concurrent
 * runs) only once the dead node's check-in is stale: up to 27 s after the restart, in which, for one, no CRL was
 * published after a revocation. A non-clustered store recovers them as it starts.
 */
@Configuration(proxyBeanMethods = false)
class QuartzClustering {

    private static final Logger log = LoggerFactory.getLogger(QuartzClustering.class);

    static final String CLUSTERED = "org.quartz.jobStore.isClustered";

    @Bean
    SchedulerFactoryBeanCustomizer clusterOnlyASharedDatabase(QuartzProperties quartz, DataSource dataSource) {
        return factory -> unclustered(quartz.getProperties(), SingleProcessDatabase.is(dataSource)).ifPresent(properties -> {
            factory.setQuartzProperties(properties);
            log.debug("an embedded H2 only this process opens: Quartz's job store is not clustered");
        });
    }

    /** The Quartz properties with clustering off, when they ask for it on a database only this process opens. */
    static Optional<Properties> unclustered(Map<String, String> configured, boolean singleProcess) {
        if (!singleProcess || !Boolean.parseBoolean(configured.get(CLUSTERED))) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        properties.putAll(configured);
        properties.setProperty(CLUSTERED, "false");
        return Optional.of(properties);
    }
}
