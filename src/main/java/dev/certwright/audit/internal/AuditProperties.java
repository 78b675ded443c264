package dev.certwright.audit.internal;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.audit.*}.
 *
 * @param checkpointInterval how often a signed checkpoint of the chain heads is published (when they changed)
 * @param checkpointSink where checkpoints are appended: a file, or a directory that gets {@code checkpoints.jsonl};
 *        by default {@code <data-dir>/audit/checkpoints.jsonl}. Point it at storage the database's administrators
 *        cannot rewrite (another host, an append-only mount) for the checkpoints to prove anything against them.
 */
@ConfigurationProperties("certwright.audit")
public record AuditProperties(@DefaultValue("PT15M") Duration checkpointInterval, Path checkpointSink) {

    public AuditProperties {
        if (checkpointInterval.compareTo(Duration.ofSeconds(1)) < 0 || checkpointInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new StartupException("certwright.audit.checkpoint-interval must be from PT1S to P1D, not " + checkpointInterval);
        }
    }
}
