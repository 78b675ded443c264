package dev.certwright.acme.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.certwright.acme.store.RateLimitStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * RFC 8555 §6.6: newAccount requests per client address are rate-limited, each address a GCRA bucket of
 * {@link RateLimitStore} shared by every node, so that one address cannot fill the database with accounts. Every POST
 * to newAccount takes a token (a lookup with onlyReturnExisting too: it costs the same signature check). A refused
 * request is {@code rateLimited} with Retry-After, before its JWS is read.
 */
@Configuration(proxyBeanMethods = false)
class NewAccountLimit implements WebMvcConfigurer {

    /**
     * {@code certwright.acme.new-account-limit.*}.
     *
     * @param perAddress newAccount requests one client address may make within {@code window}
     * @param window that window
     */
    @Validated
    @ConfigurationProperties("certwright.acme.new-account-limit")
    record Properties(@DefaultValue("100") @Min(1) @Max(1_000_000) int perAddress, @DefaultValue("PT1H") @NotNull Duration window) {

        Properties {
            if (window != null && (window.isNegative() || window.isZero())) {
                throw new dev.certwright.platform.StartupException("certwright.acme.new-account-limit.window must be positive, not " + window);
            }
        }
    }

    private final RateLimitStore limits;
    private final Properties properties;
    private final TransactionTemplate transactions;
    private final java.time.Clock clock;

    NewAccountLimit(RateLimitStore limits, Properties properties, TransactionTemplate transactions, java.time.Clock clock) {
        this.limits = limits;
        this.properties = properties;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if ("POST".equals(request.getMethod())) {
                    check(request.getRemoteAddr());
                }
                return true;
            }
        }).addPathPatterns(AcmeLinker.Paths.NEW_ACCOUNT);
    }

    /** Thrown from the interceptor, the refusal is answered by {@link AcmeExceptionHandler} like any ACME error. */
    private void check(String address) {
        Duration wait = transactions.execute(tx -> limits.take("new-account:" + address, properties.perAddress(), properties.window(),
                clock.instant()).orElse(null));
        if (wait != null) {
            throw new AcmeException(AcmeProblem.rateLimited, "this address may create " + properties.perAddress() + " accounts per "
                    + properties.window()).retryAfter(wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait);
        }
    }
}
