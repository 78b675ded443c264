package dev.certwright.acme.validation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.domain.Authorization;
import dev.certwright.acme.domain.Challenge;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.store.OrderStore;
import jakarta.annotation.PreDestroy;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs challenge validations off the request thread (RFC 8555 §7.5.1: the server answers at once and validates
 * later), on virtual threads, at most 64 at a time. Each is tried {@code certwright.acme.validation-attempts} times, a
 * second apart and then two, each attempt bounded by {@code certwright.acme.validation-timeout}; the outcome is stored
 * on the challenge and its authorization.
 */
@Service
public class ChallengeValidation {

    private static final Logger log = LoggerFactory.getLogger(ChallengeValidation.class);

    private final Http01Validator http01;
    private final Dns01Validator dns01;
    private final TlsAlpn01Validator tlsAlpn01;
    private final OrderStore orders;
    private final AcmeProperties properties;
    private final JsonMapper json;
    private final java.time.Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore running = new Semaphore(64);

    ChallengeValidation(Http01Validator http01, Dns01Validator dns01, TlsAlpn01Validator tlsAlpn01, OrderStore orders,
            AcmeProperties properties, JsonMapper json, java.time.Clock clock) {
        this.clock = clock;
        this.http01 = http01;
        this.dns01 = dns01;
        this.tlsAlpn01 = tlsAlpn01;
        this.orders = orders;
        this.properties = properties;
        this.json = json;
    }

    /**
     * Starts validating a challenge that was just moved to processing. The future completes when the first attempt has
     * ended (valid and stored, or failed and the retries scheduled), for a caller that may wait a moment to answer with
     * the outcome.
     */
    public CompletableFuture<Void> start(Challenge challenge, Authorization authorization, String keyAuthorization) {
        CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
        executor.submit(() -> {
            try {
                running.acquire();
                try {
                    run(challenge, authorization, keyAuthorization, firstAttempt);
                } finally {
                    running.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("validating challenge {} failed unexpectedly", challenge.id(), e);
                orders.finishChallenge(challenge, false, problem("serverInternal", "validation failed inside the server"));
            } finally {
                firstAttempt.complete(null);
            }
        });
        return firstAttempt;
    }

    private void run(Challenge challenge, Authorization authorization, String keyAuthorization, CompletableFuture<Void> firstAttempt)
            throws InterruptedException {
        ValidationFailure last = null;
        for (int attempt = 1; attempt <= properties.validationAttempts(); attempt++) {
            try {
                validate(challenge, authorization.identifier(), keyAuthorization);
                orders.finishChallenge(challenge, true, null);
                log.info("challenge {} ({}) for {} is valid", challenge.id(), challenge.type(), authorization.identifier().value());
                return;
            } catch (ValidationFailure failure) {
                last = failure;
                log.debug("challenge {} ({}) for {}, attempt {}: {}", challenge.id(), challenge.type(), authorization.identifier().value(), attempt,
                        failure.internal());
                firstAttempt.complete(null);
                if (attempt < properties.validationAttempts()) {
                    Thread.sleep(Duration.ofSeconds(attempt).toMillis());
                }
            }
        }
        log.info("challenge {} ({}) for {} is invalid: {}", challenge.id(), challenge.type(), authorization.identifier().value(), last.getMessage());
        orders.finishChallenge(challenge, false, problem(last.type(), last.getMessage()));
    }

    private void validate(Challenge challenge, Identifier identifier, String keyAuthorization) throws ValidationFailure {
        switch (challenge.type()) {
            case HTTP_01 -> http01.validate(identifier, challenge.token(), keyAuthorization);
            case DNS_01 -> dns01.validate(identifier, keyAuthorization);
            case TLS_ALPN_01 -> tlsAlpn01.validate(identifier, keyAuthorization);
        }
    }

    private String problem(String type, String detail) {
        return json.writeValueAsString(java.util.Map.of("type", "urn:ietf:params:acme:error:" + type, "detail", detail, "status", 400));
    }

    /**
     * Takes up validations that have been processing longer than any attempt sequence can last: the node running them
     * stopped. Each node looks; the claim (an UPDATE of started_at) lets one node take each.
     */
    @Scheduled(initialDelayString = "${certwright.acme.requeue-interval:PT30S}", fixedDelayString = "${certwright.acme.requeue-interval:PT30S}")
    void requeueStale() {
        Duration longest = properties.validationTimeout().plusSeconds(properties.validationAttempts()).multipliedBy(properties.validationAttempts())
                .plusSeconds(30);
        java.time.Instant before = clock.instant().minus(longest);
        for (Long id : orders.staleValidations(before, 100)) {
            if (!orders.reclaimValidation(id, before)) {
                continue;
            }
            Challenge challenge = orders.findChallenge(id).orElse(null);
            Authorization authorization = challenge == null ? null : orders.findAuthorization(challenge.authorizationId()).orElse(null);
            String thumbprint = orders.accountThumbprint(id).orElse(null);
            if (authorization != null && thumbprint != null) {
                log.info("taking up validation of challenge {} ({}) for {}, left unfinished", id, challenge.type(), authorization.identifier().value());
                start(challenge, authorization, challenge.keyAuthorization(thumbprint));
            }
        }
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
