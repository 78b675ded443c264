package dev.certwright.acme.web;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.acme.application.AcmeOrders;
import dev.certwright.acme.domain.Order;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * RFC 8555 §7.4: orders: newOrder, read, finalize, and the certificate download (§7.4.2). Every resource is read with
 * POST-as-GET (§6.3) and only by the account that owns it; the use cases are {@link AcmeOrders}'.
 */
@RestController
class OrderController {

    static final String PEM_CHAIN = "application/pem-certificate-chain";

    private final AcmeRequests requests;
    private final AcmeOrders orders;
    private final AcmeRepresentations representations;

    OrderController(AcmeRequests requests, AcmeOrders orders, AcmeRepresentations representations) {
        this.requests = requests;
        this.orders = orders;
        this.representations = representations;
    }

    /** RFC 8555 §7.4: newOrder, with draft-ietf-acme-profiles' {@code profile}. */
    @PostMapping(path = AcmeLinker.Paths.NEW_ORDER)
    ResponseEntity<Map<String, Object>> newOrder(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        Order order = orders.newOrder(verified.account(), AcmePayloads.newOrder(verified.payload()));
        return ResponseEntity.status(HttpStatus.CREATED).header("Location", verified.linker().order(order.id()))
                .contentType(MediaType.APPLICATION_JSON).body(representations.order(order, verified.linker()));
    }

    @PostMapping(path = AcmeLinker.Paths.ORDER)
    Map<String, Object> order(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        return representations.order(orders.owned(id, verified.account()), verified.linker());
    }

    /** RFC 8555 §7.4: finalize with a CSR that names exactly the order's identifiers. */
    @PostMapping(path = AcmeLinker.Paths.FINALIZE)
    ResponseEntity<Map<String, Object>> finalizeOrder(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        Order order = orders.finalizeOrder(id, verified.account(), AcmePayloads.csr(verified.payload()));
        return ResponseEntity.ok().header("Location", verified.linker().order(id)).contentType(MediaType.APPLICATION_JSON)
                .body(representations.order(order, verified.linker()));
    }

    /** RFC 8555 §7.4.2: the certificate and its chain, PEM, with a Link rel="alternate" to each other chain. */
    @PostMapping(path = AcmeLinker.Paths.CERTIFICATE)
    ResponseEntity<String> certificate(@PathVariable long orderId, HttpServletRequest request, HttpServletResponse response,
            @RequestBody byte[] body) {
        return chain(orderId, 0, request, response, body);
    }

    /** RFC 8555 §7.4.2: the same certificate with an alternate chain, linking to the others (the default one included). */
    @PostMapping(path = AcmeLinker.Paths.CERTIFICATE_ALTERNATE)
    ResponseEntity<String> alternate(@PathVariable long orderId, @PathVariable int n, HttpServletRequest request, HttpServletResponse response,
            @RequestBody byte[] body) {
        return chain(orderId, n, request, response, body);
    }

    private ResponseEntity<String> chain(long orderId, int n, HttpServletRequest request, HttpServletResponse response, byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        List<String> chains = orders.certificateChains(orderId, verified.account());
        if (n < 0 || n >= chains.size()) {
            throw new AcmeException(AcmeProblem.malformed, "the certificate of order " + orderId + " has no alternate chain " + n);
        }
        for (int i = 0; i < chains.size(); i++) {
            if (i != n) {
                // Added to the response itself, beside the rel="index" link that AcmeResponseHeaders put there.
                response.addHeader("Link", "<" + verified.linker().certificate(orderId, i) + ">;rel=\"alternate\"");
            }
        }
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(PEM_CHAIN)).body(chains.get(n));
    }
}
