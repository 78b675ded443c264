package dev.certwright.dashboard;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.acme.AcmeAccounts;
import dev.certwright.deploy.DeploymentQueries;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.issuance.CertificateRevocation;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.Users;
import dev.certwright.revocation.RevocationHealth;
import dev.certwright.x509.RevocationReason;
import dev.certwright.x509.SerialNumber;

/**
 * The dashboard's role rules in a web slice, with the real security configuration: VIEWER reads but gets no revoke
 * action and a 403 for a forged POST, OPERATOR revokes (with a CSRF token only), ADMIN-only pages refuse the others,
 * and nothing is shown before sign-in.
 */
@WebMvcTest(controllers = CertificatePages.class, includeFilters = @ComponentScan.Filter(type = FilterType.REGEX, pattern = {
        "dev\\.certwright\\.platform\\.internal\\.SecurityConfiguration", "dev\\.certwright\\.platform\\.internal\\.ProblemResponses",
        "dev\\.certwright\\.platform\\.internal\\.SignIn(Guard|Throttle)",
        "dev\\.certwright\\.dashboard\\.DashboardRules", "dev\\.certwright\\.dashboard\\.ViewHelpers"}),
        // Only the dashboard's web layer and the security chain: other modules' advice and filters stay out of the slice.
        excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX, pattern = {
                "dev\\.certwright\\.(acme|revocation|delivery|api|deploy|notify|renewal|tls|issuance|inventory|audit|ca|policy|discovery|upstream)\\..*",
                "dev\\.certwright\\.platform\\.internal\\.(RequestSizeFilter|PlainHttpConnector.*|AotBuildChecks)"}))
@org.springframework.context.annotation.Import(DashboardRoleRulesTest.SignInSettings.class)
class DashboardRoleRulesTest {

    /** The sign-in throttle's settings (their defaults): the chain's sign-in guard needs them. */
    @org.springframework.boot.test.context.TestConfiguration(proxyBeanMethods = false)
    @org.springframework.boot.context.properties.EnableConfigurationProperties(dev.certwright.platform.internal.SignInProperties.class)
    static class SignInSettings {
    }

    @Autowired
    MockMvc mvc;
    @MockitoBean
    CertificateInventory inventory;
    @MockitoBean
    CertificateRevocation revocation;
    @MockitoBean
    RevocationHealth health;
    @MockitoBean
    DeploymentQueries deployments;
    @MockitoBean
    AcmeAccounts acme;
    @MockitoBean
    ApiTokens tokens;
    @MockitoBean
    Clock clock;
    @MockitoBean
    Users users;
    @MockitoBean
    JdbcClient jdbc;
    @MockitoBean
    TransactionTemplate transactions;
    @MockitoBean
    dev.certwright.discovery.CertificateEndpoints endpoints;
    @MockitoBean
    dev.certwright.platform.RoleBindings roleBindings;

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final CertificateRecord RECORD = new CertificateRecord(7, new SerialNumber(BigInteger.valueOf(0x1234)), "CN=Issuing", "dev-issuing",
            CertificateStatus.ISSUED, CertificateSource.ISSUED, "tls-server", "CN=web.test", List.of("web.test"), "EC", 256,
            NOW.minusSeconds(3600), NOW.plusSeconds(86400 * 20), "ab".repeat(32), null, null, "<b>team</b>", List.of(), null, null, null, "admin",
            null, NOW.minusSeconds(3600), null);

    @BeforeEach
    void setUp() {
        when(clock.instant()).thenReturn(NOW);
        when(clock.getZone()).thenReturn(ZoneOffset.UTC);
        when(inventory.find(7)).thenReturn(Optional.of(RECORD));
        when(revocation.revoke(anyLong(), any(), anyString())).thenReturn(RECORD);
        when(acme.accountOf(anyLong())).thenReturn(Optional.empty());
        // Each session's user is still what it signed in as (SessionStandingFilter asks): the role is the user's name.
        when(users.standing(anyString())).thenAnswer(call -> Optional.of(new Users.Standing(
                switch (call.getArgument(0, String.class)) {
                    case "victor" -> "VIEWER";
                    case "olga" -> "OPERATOR";
                    default -> call.getArgument(0, String.class).toUpperCase(java.util.Locale.ROOT);
                }, true)));
    }

    @Test
    void nothingIsShownBeforeSignIn() throws Exception {
        mvc.perform(get("/certificates/7")).andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login"));
    }

    @Test
    void aViewerSeesTheDetailWithoutARevokeActionAndTheOwnerEscaped() throws Exception {
        mvc.perform(get("/certificates/7").with(user("victor").roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(content().string(Matchers.not(Matchers.containsString("id=\"revoke\""))))
                .andExpect(content().string(Matchers.containsString("&lt;b&gt;team&lt;/b&gt;")));
    }

    @Test
    void anOperatorSeesTheRevokeAction() throws Exception {
        mvc.perform(get("/certificates/7").with(user("olga").roles("OPERATOR"))).andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("id=\"revoke\"")));
    }

    @ParameterizedTest(name = "{0} posting a revocation gets {1}")
    @CsvSource({"VIEWER, 403", "OPERATOR, 302", "ADMIN, 302"})
    void onlyOperatorsRevoke(String role, int expected) throws Exception {
        mvc.perform(post("/certificates/7/revoke").param("reason", "keyCompromise").param("confirm", "yes").with(csrf())
                .with(user(role.toLowerCase()).roles(role))).andExpect(status().is(expected));
        if (expected == 302) {
            verify(revocation).revoke(7, RevocationReason.keyCompromise, role.toLowerCase());
        } else {
            verify(revocation, never()).revoke(anyLong(), any(), anyString());
        }
    }

    @Test
    void aRevocationWithoutACsrfTokenIsRefused() throws Exception {
        // Without a session there is no token to match: Spring Security sends the caller to sign in again (a browser with
        // a session gets 403, see DashboardIT); either way nothing is revoked.
        mvc.perform(post("/certificates/7/revoke").param("reason", "keyCompromise").param("confirm", "yes").with(user("olga").roles("OPERATOR")))
                .andExpect(result -> org.assertj.core.api.Assertions.assertThat(result.getResponse().getStatus()).isIn(302, 403));
        verify(revocation, never()).revoke(anyLong(), any(), anyString());
    }

    @Test
    void aRevocationWithoutTheConfirmationIsABadRequestNotARevocation() throws Exception {
        mvc.perform(post("/certificates/7/revoke").param("reason", "keyCompromise").with(csrf()).with(user("olga").roles("OPERATOR")))
                .andExpect(status().isBadRequest());
        verify(revocation, never()).revoke(eq(7L), any(), anyString());
    }

    @ParameterizedTest(name = "{0} {1} as {2} gets {3}")
    @CsvSource({"GET, /users, OPERATOR, 403", "GET, /audit, VIEWER, 403", "POST, /managed/new, VIEWER, 403", "POST, /managed/web/targets, OPERATOR, 403",
            "POST, /service-tokens, OPERATOR, 403", "POST, /jobs/renewal/renewal-scan/run, VIEWER, 403", "GET, /nowhere, ADMIN, 403"})
    void rolesAreCheckedOnTheServer(String method, String path, String role, int expected) throws Exception {
        var request = method.equals("GET") ? get(path) : post(path).with(csrf());
        mvc.perform(request.with(user(role.toLowerCase()).roles(role))).andExpect(status().is(expected));
    }

    @Test
    void aSessionWhoseUserWasGivenAnotherRoleEndsAtOnce() throws Exception {
        // olga signed in as OPERATOR; an admin has since made her a VIEWER.
        when(users.standing("olga")).thenReturn(Optional.of(new Users.Standing("VIEWER", true)));
        mvc.perform(get("/certificates/7").with(user("olga").roles("OPERATOR")))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login?expired"));
    }

    @Test
    void aSessionWhoseUserWasDisabledEndsAtOnce() throws Exception {
        when(users.standing("victor")).thenReturn(Optional.of(new Users.Standing("VIEWER", false)));
        mvc.perform(get("/certificates/7").with(user("victor").roles("VIEWER")))
                .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login?expired"));
    }
}
