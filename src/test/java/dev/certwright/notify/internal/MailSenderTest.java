package dev.certwright.notify.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.mail.autoconfigure.MailProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mock.env.MockEnvironment;

/**
 * The mail sender is made from {@code spring.mail.*} when the server starts, since Boot's mail auto-configuration is
 * off (decision 64): the settings an operator gives must reach it as they would through Boot.
 */
class MailSenderTest {

    private static JavaMailSender sender(MockEnvironment environment) {
        return NoticeChannels.mailSender(Binder.get(environment).bind("spring.mail", MailProperties.class).orElseGet(MailProperties::new),
                new StaticListableBeanFactory().getBeanProvider(SslBundles.class));
    }

    @Test
    void noHostMeansNoMail() {
        assertThat(sender(new MockEnvironment())).isNull();
        assertThat(sender(new MockEnvironment().withProperty("spring.mail.port", "2525"))).isNull();
    }

    @Test
    void theSettingsReachTheSender() {
        JavaMailSenderImpl sender = (JavaMailSenderImpl) sender(new MockEnvironment().withProperty("spring.mail.host", "smtp.example.test")
                .withProperty("spring.mail.port", "2525").withProperty("spring.mail.username", "certwright")
                .withProperty("spring.mail.password", "pw").withProperty("spring.mail.protocol", "smtps")
                .withProperty("spring.mail.default-encoding", "ISO-8859-1").withProperty("spring.mail.ssl.enabled", "true")
                .withProperty("spring.mail.properties.mail.smtps.timeout", "5000"));
        assertThat(sender.getHost()).isEqualTo("smtp.example.test");
        assertThat(sender.getPort()).isEqualTo(2525);
        assertThat(sender.getUsername()).isEqualTo("certwright");
        assertThat(sender.getPassword()).isEqualTo("pw");
        assertThat(sender.getProtocol()).isEqualTo("smtps");
        assertThat(sender.getDefaultEncoding()).isEqualTo("ISO-8859-1");
        assertThat(sender.getJavaMailProperties()).containsEntry("mail.smtps.ssl.enable", "true").containsEntry("mail.smtps.timeout", "5000");
    }

    @Test
    void aHostAloneUsesSmtpDefaults() {
        JavaMailSenderImpl sender = (JavaMailSenderImpl) sender(new MockEnvironment().withProperty("spring.mail.host", "127.0.0.1"));
        assertThat(sender.getPort()).isEqualTo(JavaMailSenderImpl.DEFAULT_PORT);
        assertThat(sender.getProtocol()).isEqualTo("smtp");
        assertThat(sender.getJavaMailProperties()).isEmpty();
    }
}
