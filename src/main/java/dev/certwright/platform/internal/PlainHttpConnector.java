package dev.certwright.platform.internal;

import java.io.IOException;
import java.util.List;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.Http11Nio2Protocol;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The plain-HTTP listener on {@code certwright.http-port}. It serves only what relying parties fetch without TLS:
 * CA certificates, CRLs and OCSP (RFC 5280 §4.2.1.13 and RFC 6960 Appendix A expect http URLs), and the health
 * check, and the http-01 answers for upstream ACME CAs (RFC 8555 §8.3 fetches them over port 80). Everything else is answered 404 there, so that no token or key ever travels in clear.
 */
@Component
class PlainHttpConnector implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    static final List<String> PUBLIC_PREFIXES = List.of("/ca/", "/crl/", "/ocsp", "/actuator/health",
            "/.well-known/acme-challenge/");

    private final CertwrightProperties properties;
    private final int maxKeepAliveRequests;

    PlainHttpConnector(CertwrightProperties properties, @Value("${server.tomcat.max-keep-alive-requests:1000}") int maxKeepAliveRequests) {
        this.properties = properties;
        this.maxKeepAliveRequests = maxKeepAliveRequests;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        // NIO2 rather than Tomcat's default NIO: in A/B runs on two cores it served 15 to 40 % more OCSP GETs, with a
        // tail no longer (decision 43).
        Connector connector = new Connector(Http11Nio2Protocol.class.getName());
        connector.setScheme("http");
        connector.setSecure(false);
        connector.setPort(properties.httpPort());
        connector.setProperty("address", "0.0.0.0");
        // Spring Boot applies server.tomcat.* to its own connector only; this one would close a relying party's
        // keep-alive connection after Tomcat's default of 100 requests (an OCSP client or a cache in front polls more).
        connector.setProperty("maxKeepAliveRequests", Integer.toString(maxKeepAliveRequests));
        factory.addAdditionalConnectors(connector);
        // RFC 6960 Appendix A.1: an OCSP GET path is base64, whose '/' some clients percent-encode. Tomcat refuses %2F by
        // default; pass it through to the OCSP endpoint, which decodes its own path. Spring Security's firewall still
        // refuses it on every other path.
        connector.setEncodedSolidusHandling("passthrough");
        factory.addConnectorCustomizers(c -> c.setEncodedSolidusHandling("passthrough"));
    }

    /** Keeps the plain listener to its public paths. */
    @Component
    @Order(Ordered.HIGHEST_PRECEDENCE + 1)
    static class PlainHttpPathFilter extends OncePerRequestFilter {

        private final ProblemResponses problems;

        PlainHttpPathFilter(ProblemResponses problems) {
            this.problems = problems;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (!request.isSecure()) {
                String path = request.getRequestURI().substring(request.getContextPath().length());
                if (PUBLIC_PREFIXES.stream().noneMatch(path::startsWith)) {
                    problems.write(request, response, HttpStatus.NOT_FOUND, "https-required",
                            "this listener serves only CA certificates, CRLs, OCSP and ACME challenges; use HTTPS for " + path);
                    return;
                }
            }
            chain.doFilter(request, response);
        }
    }
}
