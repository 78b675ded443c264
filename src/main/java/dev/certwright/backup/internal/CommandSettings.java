package dev.certwright.backup.internal;

import java.util.List;

import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.certwright.backup.BackupException;

/**
 * The server's settings, read the way the server reads them (command-line {@code --key=value}, system properties,
 * environment variables such as {@code SPRING_DATASOURCE_URL}, {@code application.properties} and any
 * {@code spring.config.*} files), but without starting Spring: Spring Boot's config-data loading is applied to a plain
 * environment, so that {@code backup} and {@code restore} find the database exactly where the server would.
 */
public final class CommandSettings {

    private final Binder binder;

    private CommandSettings(ConfigurableEnvironment environment) {
        this.binder = Binder.get(environment);
    }

    /** Settings from these {@code --key=value} arguments over everything else the server reads. */
    public static CommandSettings of(List<String> arguments) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(arguments.toArray(String[]::new)));
        ConfigDataEnvironmentPostProcessor.applyTo(environment);
        ConfigurationPropertySources.attach(environment);
        return new CommandSettings(environment);
    }

    public String get(String key) {
        try {
            return binder.bind(key, String.class).orElse(null);
        } catch (BindException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, key + " cannot be read: " + rootMessage(e));
        }
    }

    /** The database the server would use. */
    public DatabaseSettings database() {
        return new DatabaseSettings(get("spring.datasource.url"), get("spring.datasource.username"), get("spring.datasource.password"));
    }

    /** {@code certwright.backup.*}, validated as at server start. */
    public BackupProperties tools() {
        try {
            return binder.bindOrCreate("certwright.backup", BackupProperties.class);
        } catch (BindException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
