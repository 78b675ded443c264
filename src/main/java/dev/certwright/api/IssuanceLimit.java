package dev.certwright.api;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.certwright.platform.RateLimitBuckets;
import dev.certwright.platform.StartupException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Issuance through the API is rate-limited per caller (an API token, a service token or a service's certificate), each
 * a GCRA bucket of {@link RateLimitBuckets} shared by every node: a leaked or runaway token cannot sign without bound.
 * Counted: issuing from a CSR, creating a managed certificate and renewing one. A refusal is 429 problem+json with
 * Retry-After, before the request body is read.
 */
@Configuration(proxyBeanMethods = false)
class IssuanceLimit implements WebMvcConfigurer {

    /**
     * {@code certwright.api.issuance-limit.*}. The default is far above what one client of the benchmarks issues.
     *
     * @param perToken issuing requests one caller may make within {@code window}
     * @param window that window
     */
    @Validated
    @ConfigurationProperties("certwright.api.issuance-limit")
    record Properties(@DefaultValue("6000") @Min(1) @Max(100_000_000) int perToken, @DefaultValue("PT1M") @NotNull Duration window) {

        Properties {
            if (window != null && (window.isNegative() || window.isZero())) {
                throw new StartupException("certwright.api.issuance-limit.window must be positive, not " + window);
            }
        }
    }

    /** A caller over its issuance limit: 429 with Retry-After, from the common problem mapping. */
    static final class Exceeded extends dev.certwright.platform.CertwrightException {

        private final transient Duration wait;

        Exceeded(String message, Duration wait) {
            super(Kind.TOO_MANY_REQUESTS, "rate-limited", message);
            this.wait = wait;
        }

        @Override
        public Duration retryAfter() {
            return wait;
        }

    }

    private final RateLimitBuckets buckets;
    private final Properties properties;
    private final TransactionTemplate transactions;

    IssuanceLimit(RateLimitBuckets buckets, Properties properties, TransactionTemplate transactions) {
        this.buckets = buckets;
        this.properties = properties;
        this.transactions = transactions;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if ("POST".equals(request.getMethod())) {
                    check(SecurityContextHolder.getContext().getAuthentication());
                }
                return true;
            }
        }).addPathPatterns("/api/v1/certificates", "/api/v1/managed-certificates", "/api/v1/managed-certificates/*/renew");
    }

    private void check(Authentication caller) {
        if (caller == null || !caller.isAuthenticated()) {
            return; // the security chain has refused it already
        }
        String bucket = "api-issuance:" + caller.getName();
        Duration wait = transactions.execute(tx -> buckets.take(bucket, properties.perToken(), properties.window()).orElse(null));
        if (wait != null) {
            throw new Exceeded("this token may issue " + properties.perToken() + " times per " + properties.window(), wait);
        }
    }
}
