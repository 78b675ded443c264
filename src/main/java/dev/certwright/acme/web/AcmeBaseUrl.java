package dev.certwright.acme.web;

import java.net.URI;
import java.net.URISyntaxException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.context.ServletContextAware;

import dev.certwright.platform.StartupException;
import jakarta.servlet.ServletContext;

/**
 * {@code certwright.public-https-url}: the URL clients reach the HTTPS listener by, the base of every ACME URL
 * ({@link AcmeLinker}). Checked at startup: an absolute http or https URL with a host, no query and no fragment.
 */
@Component
class AcmeBaseUrl implements ServletContextAware {

    private final String base;

    AcmeBaseUrl(@Value("${certwright.public-https-url:https://localhost:${server.port:8443}}") String publicHttpsUrl) {
        this.base = check(publicHttpsUrl) + AcmeLinker.Paths.ROOT;
    }

    static String check(String url) {
        String trimmed = url == null ? "" : url.trim();
        try {
            URI uri = new URI(trimmed);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme();
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new URISyntaxException(trimmed, "not a base URL");
            }
        } catch (URISyntaxException e) {
            throw new StartupException("certwright.public-https-url must be an absolute https URL such as https://pki.example.com:8443, not '"
                    + trimmed + "'");
        }
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    @Override
    public void setServletContext(ServletContext servletContext) {
        servletContext.setAttribute(AcmeLinker.BASE_ATTRIBUTE, base);
    }
}
