package dev.certwright;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Certwright: a certificate lifecycle manager for an internal PKI. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CertwrightApplication {

    public static void main(String[] args) {
        SpringApplication.run(CertwrightApplication.class, args);
    }
}
