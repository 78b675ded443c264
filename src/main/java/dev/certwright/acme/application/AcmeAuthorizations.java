package dev.certwright.acme.application;

import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.stereotype.Service;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.domain.Account;
import dev.certwright.acme.domain.Authorization;
import dev.certwright.acme.domain.AuthorizationStatus;
import dev.certwright.acme.domain.Challenge;
import dev.certwright.acme.store.OrderStore;
import dev.certwright.acme.validation.ChallengeValidation;
import dev.certwright.acme.web.AcmeException;
import dev.certwright.acme.web.AcmeProblem;

/** RFC 8555 §7.5: authorizations (read, §7.5.2 deactivate) and their challenges (§7.5.1 respond). */
@Service
public class AcmeAuthorizations {

    private final AcmeOrders owner;
    private final OrderStore orders;
    private final ChallengeValidation validation;
    private final AcmeProperties properties;
    private final Clock clock;

    AcmeAuthorizations(AcmeOrders owner, OrderStore orders, ChallengeValidation validation, AcmeProperties properties, Clock clock) {
        this.owner = owner;
        this.orders = orders;
        this.validation = validation;
        this.properties = properties;
        this.clock = clock;
    }

    /** A challenge as it is after the request, with the authorization it belongs to. */
    public record ChallengeState(Challenge challenge, Authorization authorization) {
    }

    /** The authorization, if this account owns it. */
    public Authorization authorization(long id, Account account) {
        return owner.ownedAuthorization(id, account);
    }

    /**
     * RFC 8555 §7.5.2: the client sets the status (given as requested, the payload's text) to deactivated; a pending or
     * valid authorization is deactivated, any other is refused.
     */
    public Authorization deactivate(long id, Account account, String requested) {
        Authorization authorization = owner.ownedAuthorization(id, account);
        if (!AuthorizationStatus.DEACTIVATED.text().equals(requested)) {
            throw new AcmeException(AcmeProblem.malformed, "an authorization's status can only be set to deactivated");
        }
        boolean deactivated = false;
        for (AuthorizationStatus from : AuthorizationStatus.values()) {
            // One conditional UPDATE per status it may be deactivated from, so that a concurrent change is never overwritten.
            if (from.deactivatable() && orders.setAuthorizationStatus(id, from, AuthorizationStatus.DEACTIVATED)) {
                deactivated = true;
                break;
            }
        }
        if (!deactivated) {
            throw new AcmeException(AcmeProblem.malformed, "authorization " + id + " is " + authorization.status());
        }
        return orders.findAuthorization(id).orElseThrow();
    }

    /**
     * RFC 8555 §7.5.1: the client says it is ready (a POST-as-GET only reads): validation starts off the request thread,
     * and the answer waits at most {@code certwright.acme.challenge-answer-wait} for its first attempt, so that a
     * validation that takes a few milliseconds is answered {@code valid} and the client's first poll of the authorization
     * finds it done; a slower or failing one is answered {@code processing} and goes on (retries included) after the
     * answer.
     */
    public ChallengeState respond(long id, Account account, boolean postAsGet) {
        Challenge challenge = orders.findChallenge(id).orElseThrow(() -> AcmeOrders.notFound("challenge", id));
        Authorization authorization = owner.ownedAuthorization(challenge.authorizationId(), account);
        if (!postAsGet && challenge.status().startable()) {
            if (!authorization.acceptsChallengeResponse(clock.instant())) {
                throw new AcmeException(AcmeProblem.malformed, "authorization " + authorization.id() + " is " + authorization.statusAt(clock.instant()));
            }
            if (orders.startChallenge(id)) {
                awaitBriefly(validation.start(challenge, authorization, challenge.keyAuthorization(account.thumbprint())));
            }
            challenge = orders.findChallenge(id).orElseThrow();
        }
        return new ChallengeState(challenge, authorization);
    }

    private void awaitBriefly(Future<Void> firstAttempt) {
        try {
            firstAttempt.get(properties.challengeAnswerWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still validating: answered as processing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
