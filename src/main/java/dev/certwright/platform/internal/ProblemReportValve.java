package dev.certwright.platform.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.Container;
import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Tomcat's own error answers as RFC 9457 problem documents. Requests Tomcat refuses before any servlet runs (a URL or
 * header larger than its buffers, {@code %00} or a control character in the path, a broken request line) are answered
 * by the host's error report valve, whose page is HTML and names the server. This valve takes its place on the one
 * host behind both connectors (HTTPS and {@link PlainHttpConnector}'s plain listener). Under {@code /acme} the type is
 * ACME's {@code malformed} (RFC 8555 §6.7). The detail is a fixed sentence: nothing from the request is echoed.
 * Errors that reach the application are answered by {@link ProblemErrorController} before this valve sees them.
 */
public class ProblemReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String title = known != null ? known.getReasonPhrase() : "Error";
        boolean acme = rawPath(request).startsWith("/acme/");
        String type;
        String detail;
        if (status >= 500) {
            type = "urn:certwright:problem:internal-error";
            detail = "an internal error occurred";
        } else {
            type = acme ? "urn:ietf:params:acme:error:malformed" : "urn:certwright:problem:malformed-request";
            detail = "the server cannot read this request: its line, a header or the URL is malformed or too large";
        }
        if (acme && status >= 500) {
            type = "urn:ietf:params:acme:error:serverInternal";
        }
        String body = "{\"type\":\"" + type + "\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone, or the response cannot be written any more: nothing else to do
        }
    }

    /** The path as it came, without decoding (it may be what made the request fail), or "" when Tomcat has none. */
    private static String rawPath(Request request) {
        try {
            String uri = request.getCoyoteRequest().requestURI().toString();
            return uri == null ? "" : uri;
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * Puts the valve on the host. Runs after Spring Boot's own customizer (which adds a plain ErrorReportValve) and
     * replaces every ErrorReportValve there, and names this class as the host's valve so Tomcat adds no other at start.
     */
    @Component
    static class Installer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Container parent = context.getParent();
                if (parent instanceof Host host) {
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    if (java.util.Arrays.stream(host.getPipeline().getValves()).noneMatch(ProblemReportValve.class::isInstance)) {
                        host.getPipeline().addValve(new ProblemReportValve());
                    }
                    if (host instanceof org.apache.catalina.core.StandardHost standard) {
                        standard.setErrorReportValveClass(ProblemReportValve.class.getName());
                    }
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
