package dev.certwright.platform.internal;

import java.io.IOException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Caps request bodies at {@code certwright.max-request-bytes}: a declared length above it is refused with 413 at
 * once, and a chunked body is cut off when it passes the limit. It runs second, after the OCSP endpoint, which keeps
 * its own, smaller limit ({@code certwright.ocsp.max-request-bytes}). The bulk import's two entries (the API's and the
 * dashboard's form) carry {@code certwright.import.max-upload-bytes} instead, and a little for the other form fields.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class RequestSizeFilter extends OncePerRequestFilter {

    /** Where uploads of certificates go (api.ImportController, dashboard.ImportPages). */
    static final java.util.Set<String> IMPORT_PATHS = java.util.Set.of("/api/v1/imports", "/imports");
    /** Room for the multipart headers and the form fields beside the file. */
    static final int FORM_FIELDS = 64 * 1024;

    private final int defaultLimit;
    private final int importLimit;
    private final ProblemResponses problems;

    RequestSizeFilter(CertwrightProperties properties, dev.certwright.platform.ImportProperties imports, ProblemResponses problems) {
        this.defaultLimit = properties.maxRequestBytes();
        this.importLimit = (int) imports.maxUploadBytes().toBytes() + FORM_FIELDS;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        int limit = "POST".equals(request.getMethod()) && IMPORT_PATHS.contains(request.getRequestURI()) ? importLimit : defaultLimit;
        if (request.getContentLengthLong() > limit) {
            problems.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "request-too-large", new RequestBodyTooLargeException(limit).getMessage());
            return;
        }
        chain.doFilter(new LimitedRequest(request, limit), response);
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final int limit;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, int limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = in.read(buffer, offset, length);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) {
                        read += n;
                        if (read > limit) {
                            throw new RequestBodyTooLargeException(limit);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
