package io.nabla;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Nabla inference service: {@code java -jar nabla.jar} (see application.properties for the defaults). */
@SpringBootApplication
@ConfigurationPropertiesScan("io.nabla.config")
public class NablaApplication {

    public static void main(String[] args) {
        SpringApplication.run(NablaApplication.class, args);
    }
}
