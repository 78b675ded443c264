package dev.certwright;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.core.metrics.ApplicationStartup;
import org.springframework.core.metrics.StartupStep;

import dev.certwright.backup.BackupCommand;
import dev.certwright.x509.CryptoProviders;

/** Certwright: a certificate lifecycle manager for an internal PKI. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CertwrightApplication {

    public static void main(String[] args) {
        // backup and restore run without Spring: no web server, no schedulers, nothing else of a node (decision 69). A
        // server's arguments are --key=value settings, never these words, so its start is what it was.
        if (args.length > 0 && (args[0].equals("backup") || args[0].equals("restore"))) {
            System.exit(BackupCommand.run(args));
        }
        CryptoProviders.preload();
        SpringApplication application = new SpringApplication(CertwrightApplication.class);
        // -Dcertwright.startup-steps=N records up to N startup steps for /actuator/startup (ADMIN only, and only when
        // management.endpoints.web.exposure.include names it): scripts/bench/startup.sh reads the breakdown there.
        // Nothing is recorded by default. The buffering kind is always used because Spring AOT decides at build time
        // whether the startup endpoint exists, by this very type (decision 64).
        application.setApplicationStartup(new StartupSteps(Math.max(0, Integer.getInteger("certwright.startup-steps", 0))));
        application.run(args);
    }

    /**
     * Buffering only when asked: with no capacity each step is the default no-op one, whose tags are never computed
     * (the buffering steps compute every bean's tags, recorded or not).
     */
    private static final class StartupSteps extends BufferingApplicationStartup {

        private final boolean recording;

        StartupSteps(int capacity) {
            super(capacity);
            this.recording = capacity > 0;
        }

        @Override
        public StartupStep start(String name) {
            return recording ? super.start(name) : ApplicationStartup.DEFAULT.start(name);
        }
    }
}
