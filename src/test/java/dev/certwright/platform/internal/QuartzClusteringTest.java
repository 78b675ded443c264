package dev.certwright.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.certwright.platform.SingleProcessDatabase;

class QuartzClusteringTest {

    private static final Map<String, String> CONFIGURED = Map.of(QuartzClustering.CLUSTERED, "true",
            "org.quartz.threadPool.threadCount", "4", "org.quartz.jobStore.clusterCheckinInterval", "10000");

    @Test
    void anEmbeddedH2RunsTheJobStoreUnclusteredKeepingEveryOtherProperty() {
        boolean embedded = SingleProcessDatabase.is("jdbc:h2:file:./data/db/certwright;MODE=PostgreSQL;AUTO_SERVER=FALSE");
        Properties properties = QuartzClustering.unclustered(CONFIGURED, embedded).orElseThrow();
        assertThat(properties.getProperty(QuartzClustering.CLUSTERED)).isEqualTo("false");
        assertThat(properties.getProperty("org.quartz.threadPool.threadCount")).isEqualTo("4");
        assertThat(properties).hasSize(CONFIGURED.size());
    }

    @Test
    void aDatabaseOtherNodesCanOpenStaysClustered() {
        for (String url : new String[] {"jdbc:postgresql://db.internal:5432/certwright", "jdbc:h2:tcp://db.internal/certwright",
                "jdbc:h2:file:./data/db;AUTO_SERVER=TRUE"}) {
            assertThat(QuartzClustering.unclustered(CONFIGURED, SingleProcessDatabase.is(url))).as(url).isEmpty();
        }
    }

    @Test
    void aJobStoreConfiguredUnclusteredIsLeftAlone() {
        assertThat(QuartzClustering.unclustered(Map.of("org.quartz.threadPool.threadCount", "4"), true)).isEmpty();
    }
}
