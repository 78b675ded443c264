package dev.certwright.deploy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import dev.certwright.deploy.internal.DeployTargets;
import dev.certwright.deploy.internal.WebrootUploads;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;

/**
 * The port the upstream module pushes http-01 answers through (decision 76): for a DNS name, the deployment targets
 * with a {@code webroot} of the managed slots that name it get {@code <webroot>/.well-known/acme-challenge/<token>}
 * holding the key authorization, over SFTP with the host key pinned; {@link #remove} takes it away again. A target
 * that cannot be reached is logged and skipped: Certwright's own listener answers the challenge as well.
 */
@Service
public class WebrootChallenges {

    static final String DIRECTORY = ".well-known/acme-challenge";
    private static final Logger log = LoggerFactory.getLogger(WebrootChallenges.class);
    /** RFC 8555 §8.3: a token is base64url; the key authorization adds '.' and the thumbprint. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern KEY_AUTHORIZATION = Pattern.compile("[A-Za-z0-9_-]{1,255}\\.[A-Za-z0-9_-]{1,255}");

    private final ManagedCertificates slots;
    private final DeployTargets targets;
    private final WebrootUploads uploads;

    WebrootChallenges(ManagedCertificates slots, DeployTargets targets, WebrootUploads uploads) {
        this.slots = slots;
        this.targets = targets;
        this.uploads = uploads;
    }

    /**
     * Writes the answer to each target with a webroot of the slots that name {@code dnsName}; returns the targets it
     * was written to, for {@link #remove}.
     */
    public List<DeployTarget> publish(String dnsName, String token, String keyAuthorization) {
        if (!TOKEN.matcher(token).matches() || !KEY_AUTHORIZATION.matcher(keyAuthorization).matches()) {
            throw new IllegalArgumentException("the http-01 token or key authorization is not base64url; nothing was written");
        }
        List<DeployTarget> written = new ArrayList<>();
        for (DeployTarget target : webrootTargets(dnsName)) {
            try {
                uploads.write(target, DIRECTORY, token, keyAuthorization);
                written.add(target);
                log.info("http-01 answer for {} written to {}:{}/{}/", dnsName, target.name(), target.webroot(), DIRECTORY);
            } catch (IOException | RuntimeException e) {
                log.warn("could not write the http-01 answer for {} to target {}: {}", dnsName, target.name(), e.getMessage());
            }
        }
        return written;
    }

    /** Removes the answer from these targets (those {@link #publish} returned); failures are logged. */
    public void remove(List<DeployTarget> written, String token) {
        if (!TOKEN.matcher(token).matches()) {
            return;
        }
        for (DeployTarget target : written) {
            try {
                uploads.remove(target, DIRECTORY, token);
            } catch (IOException | RuntimeException e) {
                log.warn("could not remove the http-01 answer from target {}: {}", target.name(), e.getMessage());
            }
        }
    }

    /** The distinct targets with a webroot of the slots whose names include this one. */
    List<DeployTarget> webrootTargets(String dnsName) {
        String wanted = dnsName.toLowerCase(Locale.ROOT);
        List<String> names = new ArrayList<>();
        for (ManagedCertificate slot : slots.withTargets()) {
            if (slot.dnsNames().stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).equals(wanted))) {
                slot.targets().stream().filter(t -> !names.contains(t)).forEach(names::add);
            }
        }
        return names.stream().map(targets::find).flatMap(Optional::stream).filter(t -> t.webroot() != null).toList();
    }
}
