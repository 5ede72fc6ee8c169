package io.nabla.web;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Lets encoded slashes and backslashes ({@code %2F}, {@code %5C}) in a path reach the application undecoded instead of
 * being refused by Tomcat with an HTML page, so a name like {@code ..%2Fetc} is answered by the name check with a
 * JSON 400 naming the grammar. They never act as path separators. Errors Tomcat answers itself, before any
 * application code runs (an invalid URI, an encoded NUL), are written as {@code {"error": ...}} too.
 */
@Component
class TomcatSettings implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            }
        });
        factory.addConnectorCustomizers(connector -> {
            connector.setEncodedSolidusHandling("passthrough");
            connector.setEncodedReverseSolidusHandling("passthrough");
        });
    }
}
