package dev.certwright.api;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.issuance.KekRotation;
import dev.certwright.issuance.KekStatus;

/**
 * The key-encryption keys (decision 68): their state, and a rotation, which answers 202 at once and re-wraps the
 * stored keys in the background; a rotation asked for while one runs is a 409 problem. ADMIN only ({@link ApiRules}).
 */
@RestController
class KekController {

    private final KekRotation rotation;

    KekController(KekRotation rotation) {
        this.rotation = rotation;
    }

    /** The current KEK, the last rotation's state and how many stored keys each KEK still wraps. */
    @GetMapping("/api/v1/kek")
    KekStatus status() {
        return rotation.status();
    }

    /** Makes a new KEK current on every node and starts re-wrapping every stored key under it. */
    @PostMapping("/api/v1/kek/rotate")
    ResponseEntity<KekStatus> rotate(Authentication actor) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/kek")).body(rotation.rotate(actor.getName()));
    }
}
