package dev.certwright.platform.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import dev.certwright.platform.StartupException;

/**
 * Refuses to start when a setting asks for something that a jar built with Spring AOT (decision 64) settled when it
 * was built, so that it is never silently ignored:
 * <ul>
 * <li>{@code management.server.port}: the actuator on a port of its own is a separate context, decided at build time
 * (the build has none);</li>
 * <li>{@code management.endpoints.web.exposure.include} naming an endpoint that the build did not make (it makes
 * those listed in the pom's {@code process-aot} arguments).</li>
 * </ul>
 * Without Spring AOT ({@code -Dspring.aot.enabled=false}, or {@code java -jar} without the flag) both work as in any
 * Spring Boot application. The mail sender is not on this list: it is made at run time (notify's NoticeChannels).
 */
@Component
class AotBuildChecks {

    private final Environment environment;
    private final ObjectProvider<WebEndpointsSupplier> endpoints;

    AotBuildChecks(Environment environment, ObjectProvider<WebEndpointsSupplier> endpoints) {
        this.environment = environment;
        this.endpoints = endpoints;
        if (AotDetector.useGeneratedArtifacts()) {
            String port = environment.getProperty("management.server.port");
            if (port != null && !port.isBlank() && !port.equals(environment.getProperty("server.port"))) {
                throw new StartupException("management.server.port is not supported by this build (Spring AOT, decision 64): "
                        + "remove it, or start with -Dspring.aot.enabled=false");
            }
        }
    }

    /** After the context is refreshed, when the exposed endpoints are known. */
    @EventListener(ApplicationStartedEvent.class)
    void checkExposure() {
        if (!AotDetector.useGeneratedArtifacts()) {
            return;
        }
        List<String> asked = Arrays.stream(environment.getProperty("management.endpoints.web.exposure.include", "").split(","))
                .map(String::trim).filter(id -> !id.isEmpty() && !"*".equals(id)).toList();
        WebEndpointsSupplier supplier = endpoints.getIfUnique();
        Set<String> exposed = supplier == null ? Set.of()
                : supplier.getEndpoints().stream().map(ExposableWebEndpoint::getEndpointId).map(Object::toString).collect(Collectors.toSet());
        List<String> missing = asked.stream().filter(id -> !exposed.contains(id)).toList();
        if (!missing.isEmpty()) {
            throw new StartupException("management.endpoints.web.exposure.include names " + missing
                    + ", which this build does not have (Spring AOT, decision 64: it has the endpoints that the pom's process-aot "
                    + "arguments list): remove them, or start with -Dspring.aot.enabled=false");
        }
    }
}
