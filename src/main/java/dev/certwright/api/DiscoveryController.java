package dev.certwright.api;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.discovery.CertificateEndpoints;
import dev.certwright.discovery.DiscoveryException;
import dev.certwright.discovery.DiscoveryScans;
import dev.certwright.discovery.Scan;
import dev.certwright.discovery.ScanRun;
import dev.certwright.discovery.ScanSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Network discovery (decision 75): scans, their runs (202, then progress at the run's URL) and the bulk owner change
 * by endpoint pattern. ADMIN for scans, OPERATOR for owners ({@link ApiRules}). The discovery module validates the
 * spec and answers bad input with 400 problems, a target outside the allowed networks with 422.
 */
@RestController
class DiscoveryController {

    private static final String SCANS = "/api/v1/discovery/scans";

    private final DiscoveryScans scans;
    private final CertificateEndpoints endpoints;

    DiscoveryController(DiscoveryScans scans, CertificateEndpoints endpoints) {
        this.scans = scans;
        this.endpoints = endpoints;
    }

    /** The body of POST and PUT; on PUT a name, if given, must be the path's. */
    record ScanBody(@Size(max = 64) String name, @Size(max = 1024) List<String> targets, @Size(max = 1024) List<Integer> ports,
            @Size(max = 64) List<String> serverNames, Duration schedule, Integer concurrency, Integer ratePerSecond) {

        ScanSpec spec(String name) {
            return new ScanSpec(name, targets, ports, serverNames, schedule, concurrency, ratePerSecond);
        }
    }

    /** A scan as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ScanResponse(String name, List<String> targets, List<Integer> ports, List<String> serverNames, Duration schedule, int concurrency,
            int ratePerSecond, String createdBy, Instant createdAt, Instant updatedAt, Instant nextRunAt) {

        static ScanResponse of(Scan s) {
            ScanSpec spec = s.spec();
            return new ScanResponse(spec.name(), spec.targets(), spec.ports(), spec.serverNames(), spec.schedule(), spec.concurrency(),
                    spec.ratePerSecond(), s.createdBy(), s.createdAt(), s.updatedAt(), s.nextRunAt());
        }
    }

    @PostMapping(path = SCANS, consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ScanResponse> create(@Valid @RequestBody ScanBody body, Authentication actor) {
        Scan scan = scans.create(body.spec(body.name()), actor.getName());
        return ResponseEntity.created(URI.create(SCANS + "/" + scan.spec().name())).body(ScanResponse.of(scan));
    }

    @GetMapping(SCANS)
    List<ScanResponse> list() {
        return scans.list().stream().map(ScanResponse::of).toList();
    }

    @GetMapping(SCANS + "/{name}")
    ScanResponse get(@PathVariable String name) {
        return ScanResponse.of(scans.get(name));
    }

    @PutMapping(path = SCANS + "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    ScanResponse update(@PathVariable String name, @Valid @RequestBody ScanBody body, Authentication actor) {
        if (body.name() != null && !body.name().equals(name)) {
            throw new DiscoveryException(DiscoveryException.Type.INVALID, "name '" + body.name() + "' is not the scan's name '" + name
                    + "'; a scan cannot be renamed");
        }
        return ScanResponse.of(scans.update(body.spec(name), actor.getName()));
    }

    @DeleteMapping(SCANS + "/{name}")
    ResponseEntity<Void> delete(@PathVariable String name, Authentication actor) {
        scans.delete(name, actor.getName());
        return ResponseEntity.noContent().build();
    }

    @PostMapping(SCANS + "/{name}/run")
    ResponseEntity<ScanRun> run(@PathVariable String name, Authentication actor) {
        ScanRun run = scans.requestRun(name, actor.getName());
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create(SCANS + "/" + name + "/runs/" + run.id())).body(run);
    }

    @GetMapping(SCANS + "/{name}/runs")
    List<ScanRun> runs(@PathVariable String name) {
        return scans.runs(name, 50);
    }

    @GetMapping(SCANS + "/{name}/runs/{id}")
    ScanRun run(@PathVariable String name, @PathVariable long id) {
        return scans.run(name, id);
    }

    /** POST /api/v1/discovery/owners: the owner of the discovered certificates served at hosts matching a pattern. */
    record OwnerBody(@NotBlank @Pattern(regexp = "[A-Za-z0-9*._:\\[\\]-]{1,255}", message = "must be a host pattern of letters, digits, ._:-[] and *")
            String hostPattern, @NotBlank @Pattern(regexp = Validation.OWNER, message = "must be 1 to 255 printable characters") String owner,
            Boolean overwrite) {
    }

    /** How many certificates got the owner. */
    record OwnerResponse(String hostPattern, String owner, int certificates) {
    }

    @PostMapping(path = "/api/v1/discovery/owners", consumes = MediaType.APPLICATION_JSON_VALUE)
    OwnerResponse assignOwner(@Valid @RequestBody OwnerBody body, Authentication actor) {
        return new OwnerResponse(body.hostPattern(), body.owner(), endpoints.assignOwner(body.hostPattern(), body.owner(), Boolean.TRUE.equals(body.overwrite()),
                actor.getName()));
    }
}
